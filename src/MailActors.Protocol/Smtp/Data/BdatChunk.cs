namespace MailActors.Protocol.Smtp.Data;

/// <summary>One BDAT chunk (RFC 3030): send as <c>BDAT {Data.Length}[ LAST]</c> followed by exactly these bytes.</summary>
/// <param name="Data">The chunk's bytes; may be empty only for the last chunk of empty content.</param>
/// <param name="IsLast">True for the final chunk (<c>BDAT n LAST</c>).</param>
public readonly record struct BdatChunk(ReadOnlyMemory<byte> Data, bool IsLast);
