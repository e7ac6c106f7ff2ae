using CsCheck;
using MailActors.Protocol.Smtp;

namespace MailActors.Protocol.Tests.Smtp;

/// <summary>
/// The one property the whole command layer exists for: no caller-supplied value can end a command line early.
/// Every argument slot of every builder is tried with generated values.
/// </summary>
public class CommandInjectionTests
{
    private static readonly (string Slot, Func<string, SmtpCommand> Build)[] Slots =
    [
        ("EHLO domain", SmtpCommand.Ehlo),
        ("HELO domain", SmtpCommand.Helo),
        ("ETRN domain", SmtpCommand.Etrn),
        ("MAIL path", s => SmtpCommand.MailFrom(s)),
        ("MAIL ToPath", s => SmtpCommand.MailFrom(SmtpPath.ToPath(s))),
        ("MAIL ToPath exact", s => SmtpCommand.MailFrom(SmtpPath.ToPath(s, exactAddresses: true))),
        ("MAIL ENVID", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { EnvelopeId = s })),
        ("MAIL AUTH", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { Auth = s })),
        ("MAIL ENVID raw", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { EnvelopeIdRaw = s })),
        ("MAIL AUTH raw", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { AuthRaw = s })),
        ("MAIL TRANSID", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { TransactionId = s })),
        ("MAIL extra", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { Extra = [s] })),
        ("MAIL extra value", s => SmtpCommand.MailFrom("<a@b.test>", new MailParameters { Extra = ["X-KEY=" + s] })),
        ("RCPT path", s => SmtpCommand.RcptTo(s)),
        ("RCPT ToPath", s => SmtpCommand.RcptTo(SmtpPath.ToPath(s))),
        ("RCPT ORCPT", s => SmtpCommand.RcptTo("<a@b.test>", new RecipientParameters { OriginalRecipient = s })),
        ("RCPT ORCPT raw", s => SmtpCommand.RcptTo("<a@b.test>", new RecipientParameters { OriginalRecipientRaw = s })),
        ("SEND path", SmtpCommand.Send),
        ("SOML path", SmtpCommand.SendOrMail),
        ("SAML path", SmtpCommand.SendAndMail),
        ("NOOP argument", s => SmtpCommand.Noop(s)),
        ("HELP topic", s => SmtpCommand.Help(s)),
        ("VRFY", SmtpCommand.Vrfy),
        ("EXPN", SmtpCommand.Expn),
        ("AUTH mechanism", s => SmtpCommand.Auth(s)),
        ("AUTH initial response", s => SmtpCommand.Auth("PLAIN", s)),
        ("AUTH continuation", SmtpCommand.AuthContinuation),
        ("raw verb", s => SmtpCommand.Raw(s, "arg")),
        ("raw argument", s => SmtpCommand.Raw("XCMD", "ok", s)),
        ("constructor line", s => new SmtpCommand("X", s)),
        ("constructor verb", s => new SmtpCommand(s, "X")),
    ];

    private static readonly Gen<char> InterestingChar = Gen.Frequency(
        (6, Gen.Char[' ', '~']),
        (2, Gen.Char["<>@\"\\:,;=+[]. "]),
        (1, Gen.Char['\u0000', '\u001f']),
        (1, Gen.Char['\u0080', '\uffff']));

    private static readonly Gen<string> AnyValue = Gen.String[InterestingChar, 0, 24];

    private static readonly Gen<int> AnySlot = Gen.Int[0, Slots.Length - 1];

    // Starts from a value that is valid in most slots, so the line breaker is the only thing wrong with it.
    private static readonly Gen<string> PoisonedValue =
        from prefix in Gen.OneOf(AnyValue, Gen.Const("a@b.test"), Gen.Const("<a@b.test>"), Gen.Const("PLAIN"), Gen.Const("QUJD"))
        from breaker in Gen.Char["\r\n\0"]
        from at in Gen.Int[0, prefix.Length]
        from suffix in Gen.OneOf(Gen.Const(string.Empty), Gen.Const("\r\nRSET"), AnyValue)
        select prefix[..at] + breaker + prefix[at..] + suffix;

    [Fact]
    public void Values_containing_cr_lf_or_nul_never_yield_a_command()
    {
        Gen.Select(AnySlot, PoisonedValue).Sample((slot, value) =>
        {
            var (name, build) = Slots[slot];
            var error = Record.Exception(() => build(value));

            Assert.True(error is MailArgumentException, $"{name} with {Escape(value)}: {error?.GetType().Name ?? "a command was built"}");
        }, iter: 5000);
    }

    [Fact]
    public void Every_slot_refuses_each_line_breaker_on_its_own()
    {
        foreach (var (name, build) in Slots)
        {
            foreach (var breaker in new[] { "\r", "\n", "\0", "\r\n" })
            {
                foreach (var value in new[] { "a@b.test" + breaker, "<a@b.test>" + breaker, breaker + "PLAIN", "QU" + breaker + "JD" })
                {
                    var error = Record.Exception(() => build(value));
                    Assert.True(error is MailArgumentException, $"{name} accepted {Escape(value)}");
                }
            }
        }
    }

    [Fact]
    public void Whatever_any_slot_accepts_is_a_single_safe_line()
    {
        Gen.Select(AnySlot, AnyValue).Sample((slot, value) =>
        {
            SmtpCommand command;
            try
            {
                command = Slots[slot].Build(value);
            }
            catch (MailArgumentException)
            {
                return;
            }

            Assert.True(WireText.IsSafe(command.Line), $"{Slots[slot].Slot} gave an unsafe line for {Escape(value)}");
            var wire = command.ToWireBytes();
            Assert.Equal(1, wire.Count(b => b == (byte)'\n'));
            Assert.Equal((byte)'\n', wire[^1]);
        }, iter: 5000);
    }

    private static string Escape(string value) =>
        string.Concat(value.Select(c => c < ' ' ? $"\\x{(int)c:X2}" : c.ToString()));
}
