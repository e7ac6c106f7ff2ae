using MailActors.Outbox.Actors;

namespace MailActors.Outbox.Tests;

/// <summary>The in-memory suppression list: addresses compare in their bare, case-insensitive form; its count of entries
/// (which lets the empty list answer without parsing) follows additions and removals.</summary>
public class SuppressionSetTests
{
    [Fact]
    public void An_address_is_found_in_any_of_its_written_forms_until_it_is_removed()
    {
        var set = new SuppressionSet();
        Assert.False(set.TryGetReason("<Bob@Example.test>", out _));

        set.Set("bob@example.test", "hard bounce");
        set.Set(" <BOB@example.test> ", "hard bounce again"); // the same address: replaced, not added

        Assert.True(set.TryGetReason("<Bob@Example.test>", out var reason));
        Assert.Equal("hard bounce again", reason);
        Assert.Equal(1, set.Count);
        Assert.False(set.TryGetReason("alice@example.test", out _));

        set.Remove("<bob@EXAMPLE.test>");
        set.Remove("bob@example.test"); // already gone: nothing changes

        Assert.False(set.TryGetReason("bob@example.test", out _));
        Assert.Equal(0, set.Count);
        set.Set("carol@example.test", "manual");
        Assert.True(set.TryGetReason("Carol@example.test", out _)); // the empty-list shortcut is off again
    }
}
