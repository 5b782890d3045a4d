namespace CityTwin.Engine.Live;

/// <summary>
/// Remembers which sequence numbers of one sensor have been seen, so that a repeated (sensor, seq) is
/// recognised. It keeps the highest seq and a bitmap of the <see cref="Size"/> seqs below it (the
/// anti-replay window of network protocols): out-of-order seqs inside the window are accepted once; a seq
/// more than <see cref="Size"/> below the highest is too old to tell apart and counts as a duplicate.
/// </summary>
public sealed class SeqWindow
{
    /// <summary>How many seqs below the highest one are remembered individually.</summary>
    public const int Size = 1024;

    private const int Words = Size / 64;

    private readonly ulong[] _bits;

    public SeqWindow()
    {
        _bits = new ulong[Words];
        Highest = -1;
    }

    /// <summary>Restores a window from <see cref="Highest"/> and <see cref="Bits"/>.</summary>
    public SeqWindow(long highest, IReadOnlyList<ulong> bits)
    {
        if (bits.Count != Words)
        {
            throw new ArgumentException($"a window has {Words} words, not {bits.Count}", nameof(bits));
        }

        Highest = highest;
        _bits = bits.ToArray();
    }

    /// <summary>The highest seq seen, or -1 before the first.</summary>
    public long Highest { get; private set; }

    /// <summary>The bitmap: bit i of the window stands for seq <c>Highest - i</c>.</summary>
    public IReadOnlyList<ulong> Bits => _bits;

    /// <summary>Records seq; true when it had not been seen (the event is new), false for a duplicate.</summary>
    public bool TryAccept(long seq)
    {
        if (seq > Highest)
        {
            Shift(Highest < 0 ? Size : seq - Highest);
            Highest = seq;
            _bits[0] |= 1UL;
            return true;
        }

        var offset = Highest - seq;
        if (offset >= Size)
        {
            return false;
        }

        var word = (int)(offset / 64);
        var mask = 1UL << (int)(offset % 64);
        if ((_bits[word] & mask) != 0)
        {
            return false;
        }

        _bits[word] |= mask;
        return true;
    }

    private void Shift(long by)
    {
        if (by >= Size)
        {
            Array.Clear(_bits);
            return;
        }

        var words = (int)(by / 64);
        var bitShift = (int)(by % 64);
        for (var i = Words - 1; i >= 0; i--)
        {
            var src = i - words;
            ulong value = 0;
            if (src >= 0)
            {
                value = _bits[src] << bitShift;
                if (bitShift != 0 && src - 1 >= 0)
                {
                    value |= _bits[src - 1] >> (64 - bitShift);
                }
            }

            _bits[i] = value;
        }
    }
}
