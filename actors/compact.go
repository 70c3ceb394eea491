package actors

// compactFront keeps a queue stored as items[head:] (the tracker's entries,
// the outbox's window, the exactly-once finisher's items) from growing for
// ever as its front is dropped: an emptied queue starts again at the
// beginning of its array, and once more than 1024 slots and over half of
// the array are dropped, what is left moves to the front. Dropped slots
// must already be zeroed. It returns the new items and head.
func compactFront[T any](items []T, head int) ([]T, int) {
	if head == len(items) {
		return items[:0], 0
	}
	if head > 1024 && head*2 > len(items) {
		n := copy(items, items[head:])
		clear(items[n:])
		return items[:n], 0
	}
	return items, head
}
