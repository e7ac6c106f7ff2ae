using System.Buffers;
using System.Text;
using CsCheck;
using MailActors.Protocol.Pop3;

namespace MailActors.Protocol.Tests.Pop3;

public class Pop3CommandTests
{
    public static TheoryData<string, Pop3Command, string, string, bool, bool> Builders => new()
    {
        // name, command, expected line, expected transcript, multi-line, sensitive
        { "USER", Pop3Command.User("mrose"), "USER mrose", "USER mrose", false, false },
        { "USER blank", Pop3Command.User("John Doe"), "USER John Doe", "USER John Doe", false, false },
        { "PASS", Pop3Command.Pass("sec ret"), "PASS sec ret", "PASS ****", false, true },
        { "APOP", Pop3Command.Apop("mrose", "C4C9334BAC560ECC979E58001B3E22FB"), "APOP mrose c4c9334bac560ecc979e58001b3e22fb", "APOP mrose ****", false, true },
        { "AUTH", Pop3Command.Auth("plain"), "AUTH PLAIN", "AUTH PLAIN", false, false },
        { "AUTH IR", Pop3Command.Auth("PLAIN", "AGZvbwBiYXI="), "AUTH PLAIN AGZvbwBiYXI=", "AUTH PLAIN ****", false, true },
        { "AUTH empty IR", Pop3Command.Auth("EXTERNAL", ""), "AUTH EXTERNAL =", "AUTH EXTERNAL ****", false, true },
        { "AUTH list", Pop3Command.AuthList(), "AUTH", "AUTH", true, false },
        { "continuation", Pop3Command.AuthContinuation("dGVzdA=="), "dGVzdA==", "****", false, true },
        { "empty continuation", Pop3Command.AuthContinuation(""), "", "****", false, true },
        { "cancel", Pop3Command.AuthCancel(), "*", "*", false, false },
        { "CAPA", Pop3Command.Capa(), "CAPA", "CAPA", true, false },
        { "STLS", Pop3Command.Stls(), "STLS", "STLS", false, false },
        { "STAT", Pop3Command.Stat(), "STAT", "STAT", false, false },
        { "LIST", Pop3Command.List(), "LIST", "LIST", true, false },
        { "LIST n", Pop3Command.List(3), "LIST 3", "LIST 3", false, false },
        { "UIDL", Pop3Command.Uidl(), "UIDL", "UIDL", true, false },
        { "UIDL n", Pop3Command.Uidl(1), "UIDL 1", "UIDL 1", false, false },
        { "TOP", Pop3Command.Top(1, 10), "TOP 1 10", "TOP 1 10", true, false },
        { "TOP headers", Pop3Command.Top(2, 0), "TOP 2 0", "TOP 2 0", true, false },
        { "RETR", Pop3Command.Retr(1), "RETR 1", "RETR 1", true, false },
        { "DELE", Pop3Command.Dele(2), "DELE 2", "DELE 2", false, false },
        { "RSET", Pop3Command.Rset(), "RSET", "RSET", false, false },
        { "NOOP", Pop3Command.Noop(), "NOOP", "NOOP", false, false },
        { "LAST", Pop3Command.Last(), "LAST", "LAST", false, false },
        { "QUIT", Pop3Command.Quit(), "QUIT", "QUIT", false, false },
        { "UTF8", Pop3Command.Utf8(), "UTF8", "UTF8", false, false },
        { "LANG", Pop3Command.Lang(), "LANG", "LANG", true, false },
        { "LANG tag", Pop3Command.Lang("*"), "LANG *", "LANG *", false, false },
        { "raw", Pop3Command.Raw("ping", "mrose"), "PING mrose", "PING mrose", false, false },
        { "raw known multi-line verb", Pop3Command.Raw("retr", "5"), "RETR 5", "RETR 5", true, false },
        { "raw declared multi-line", Pop3Command.Raw("XTND", true, "XMIT"), "XTND XMIT", "XTND XMIT", true, false },
        { "raw PASS", Pop3Command.Raw("pass", "hunter2"), "PASS hunter2", "PASS ****", false, true },
        { "raw PASS with spaces", Pop3Command.Raw("PASS", "two words"), "PASS two words", "PASS ****", false, true },
        { "raw APOP", Pop3Command.Raw("APOP", "mrose c4c9334bac560ecc979e58001b3e22fb"), "APOP mrose c4c9334bac560ecc979e58001b3e22fb", "APOP mrose ****", false, true },
        { "raw AUTH with initial response", Pop3Command.Raw("AUTH", "PLAIN", "AG1yb3NlAHNlY3JldA=="), "AUTH PLAIN AG1yb3NlAHNlY3JldA==", "AUTH PLAIN ****", false, true },
        { "raw AUTH mechanism only", Pop3Command.Raw("AUTH", "PLAIN"), "AUTH PLAIN", "AUTH PLAIN", false, false },
    };

    [Theory]
    [MemberData(nameof(Builders))]
    public void Builds_the_command_line(string name, Pop3Command command, string line, string transcript, bool multiLine, bool sensitive)
    {
        Assert.False(string.IsNullOrEmpty(name));
        Assert.Equal(line, command.Line);
        Assert.Equal(transcript, command.ToTranscript());
        Assert.Equal(transcript, command.ToString());
        Assert.Equal(multiLine, command.IsMultiLine);
        Assert.Equal(sensitive, command.IsSensitive);
        Assert.Equal(line + "\r\n", Encoding.UTF8.GetString(command.ToWireBytes()));

        var writer = new ArrayBufferWriter<byte>();
        Assert.Equal(command.ToWireBytes().Length, command.WriteTo(writer));
        Assert.Equal(command.ToWireBytes(), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Verb_is_the_upper_case_keyword_and_empty_for_sasl_lines()
    {
        Assert.Equal("RETR", Pop3Command.Retr(1).Verb);
        Assert.Equal("PING", Pop3Command.Raw("ping").Verb);
        Assert.Equal("", Pop3Command.AuthContinuation("eA==").Verb);
    }

    [Fact]
    public void Encodes_non_ascii_arguments_as_utf8()
    {
        Assert.Equal("USER jürgen\r\n"u8.ToArray(), Pop3Command.User("jürgen").ToWireBytes());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Rejects_message_numbers_below_one(int number)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.Retr(number));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.Dele(number));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.List(number));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.Uidl(number));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.Top(number, 0));
    }

    [Fact]
    public void Rejects_a_negative_top_line_count()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pop3Command.Top(1, -1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad mech")]
    [InlineData("MECH!")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTU")]
    public void Rejects_invalid_sasl_mechanism_names(string mechanism)
    {
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Auth(mechanism));
    }

    [Theory]
    [InlineData("not base64")]
    [InlineData("abc*")]
    public void Rejects_sasl_responses_that_are_not_base64(string response)
    {
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Auth("PLAIN", response));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.AuthContinuation(response));
    }

    [Theory]
    [InlineData("mrose", "c4c9334bac560ecc979e58001b3e22f")]
    [InlineData("mrose", "c4c9334bac560ecc979e58001b3e22fbb")]
    [InlineData("mrose", "g4c9334bac560ecc979e58001b3e22fb")]
    [InlineData("m rose", "c4c9334bac560ecc979e58001b3e22fb")]
    [InlineData("", "c4c9334bac560ecc979e58001b3e22fb")]
    public void Rejects_invalid_apop_arguments(string name, string digest)
    {
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Apop(name, digest));
    }

    [Fact]
    public void Rejects_empty_or_null_required_arguments()
    {
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.User(""));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Pass(""));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Lang(""));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Raw(""));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Raw("XTND", ""));
        Assert.Throws<Pop3ArgumentException>(() => Pop3Command.Raw("X TND"));
        Assert.Throws<ArgumentNullException>(() => Pop3Command.User(null!));
        Assert.Throws<ArgumentNullException>(() => Pop3Command.Pass(null!));
        Assert.Throws<ArgumentNullException>(() => Pop3Command.Raw("XTND", "a", null!));
    }

    [Fact]
    public void Property_cr_lf_or_nul_anywhere_in_any_argument_is_rejected_before_a_command_exists()
    {
        var safe = Gen.Char['a', 'z'].Array[0, 10].Select(chars => new string(chars));
        var bad = Gen.OneOf(Gen.Const('\r'), Gen.Const('\n'), Gen.Const('\0'));
        var poisoned = Gen.Select(safe, bad, safe, (before, c, after) => before + c + after);
        Func<string, Pop3Command>[] builders =
        [
            Pop3Command.User,
            Pop3Command.Pass,
            value => Pop3Command.Apop(value, "c4c9334bac560ecc979e58001b3e22fb"),
            value => Pop3Command.Apop("mrose", value),
            value => Pop3Command.Auth(value),
            value => Pop3Command.Auth("PLAIN", value),
            Pop3Command.AuthContinuation,
            value => Pop3Command.Lang(value),
            value => Pop3Command.Raw(value),
            value => Pop3Command.Raw("XTND", value),
            value => Pop3Command.Raw("XTND", "ok", value),
            value => new Pop3Command("NOOP", value),
            value => new Pop3Command(value, "NOOP"),
            value => Pop3Command.Noop() with { Line = value },
        ];
        var builder = Gen.Int[0, builders.Length - 1];

        Gen.Select(poisoned, builder).Sample((value, index) =>
        {
            var error = Assert.Throws<Pop3ArgumentException>(() => builders[index](value));
            Assert.Matches("CR|LF|NUL", error.Message);
        }, iter: 2000);
    }

    [Fact]
    public void A_default_command_is_empty_rather_than_null()
    {
        Pop3Command command = default;

        Assert.Equal("", command.Line);
        Assert.Equal("", command.Verb);
        Assert.Equal("\r\n"u8.ToArray(), command.ToWireBytes());
    }

    [Fact]
    public void A_hand_built_sensitive_command_is_redacted_after_its_verb()
    {
        var command = new Pop3Command("XPASS", "XPASS hunter2", IsSensitive: true);

        Assert.Equal("XPASS ****", command.ToTranscript());
        Assert.DoesNotContain("hunter2", command.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Commands_with_the_same_line_are_equal()
    {
        Assert.Equal(Pop3Command.Retr(4), Pop3Command.Retr(4));
        Assert.NotEqual(Pop3Command.Retr(4), Pop3Command.Retr(5));
    }
}
