namespace MailActors.Testing;

/// <summary>RFC 6856: UTF8 (before login) and LANG (either state).</summary>
internal sealed partial class Pop3Session
{
    private bool _utf8;

    /// <summary>Whether the options offer <paramref name="verb"/>; when not, it is an unknown command.</summary>
    private bool ServesInternationalization(string verb) => verb == "UTF8" ? _options.Utf8 : _options.Languages.Count > 0;

    private void ServeInternationalization(string verb, string argument)
    {
        if (verb == "UTF8")
        {
            Utf8();
        }
        else
        {
            Lang(argument);
        }
    }

    private void Utf8()
    {
        if (_state != Pop3State.Authorization)
        {
            Err(null, "UTF8 is only valid before login");
            return;
        }

        _utf8 = true;
        Ok("UTF8 enabled");
    }

    private void Lang(string argument)
    {
        if (argument.Length == 0)
        {
            Ok("Language listing follows");
            foreach (var language in _options.Languages)
            {
                Channel.WriteLine(language);
            }

            Channel.WriteLine(".");
            return;
        }

        var tag = argument.Trim();
        var match = tag == "*"
            ? _options.Languages.Select(TagOf).FirstOrDefault()
            : _options.Languages.Select(TagOf).FirstOrDefault(t => t.Equals(tag, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            Err(null, "invalid language " + tag);
            return;
        }

        Ok(match + " language selected" + (_utf8 ? " (UTF-8)" : ""));
    }

    /// <summary>The tag of a <see cref="Pop3TestServerOptions.Languages"/> line (<c>tag description</c>).</summary>
    private static string TagOf(string language) => language.Split(' ', 2)[0];
}
