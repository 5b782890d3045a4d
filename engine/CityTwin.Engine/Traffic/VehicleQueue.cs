namespace CityTwin.Engine.Traffic;

/// <summary>
/// A FIFO of vehicle indices in a power-of-two ring buffer that grows by doubling (rarely: it starts at the
/// link's storage). <see cref="InsertByReady"/> keeps the queue ordered by the time vehicles reach the stop line.
/// </summary>
internal sealed class VehicleQueue
{
    private int[] _items;
    private int _head;

    public VehicleQueue(int capacity)
    {
        var size = 4;
        while (size < capacity)
        {
            size <<= 1;
        }

        _items = new int[size];
    }

    public int Count { get; private set; }

    /// <summary>The i-th vehicle from the head.</summary>
    public int At(int i) => _items[(_head + i) & (_items.Length - 1)];

    public void Enqueue(int v)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[(_head + Count) & (_items.Length - 1)] = v;
        Count++;
    }

    /// <summary>
    /// Appends <paramref name="v"/> and moves it forward past vehicles that reach the stop line later, but never
    /// in front of the first <paramref name="fixedHead"/> entries (vehicles already waiting there).
    /// </summary>
    public void InsertByReady(int v, double[] ready, int fixedHead)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        var mask = _items.Length - 1;
        var pos = Count;
        var r = ready[v];
        while (pos > fixedHead)
        {
            var before = _items[(_head + pos - 1) & mask];
            if (ready[before] <= r)
            {
                break;
            }

            _items[(_head + pos) & mask] = before;
            pos--;
        }

        _items[(_head + pos) & mask] = v;
        Count++;
    }

    public int Dequeue()
    {
        var v = _items[_head];
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return v;
    }

    private void Grow()
    {
        var bigger = new int[_items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            bigger[i] = At(i);
        }

        _items = bigger;
        _head = 0;
    }
}
