package actors

import (
	"slices"
	"testing"
)

func TestCompactFront(t *testing.T) {
	seq := func(n int) []*int {
		s := make([]*int, n)
		for i := range s {
			v := i
			s[i] = &v
		}
		return s
	}
	dropped := func(s []*int, head int) []*int { clear(s[:head]); return s }
	tests := []struct {
		name           string
		items          []*int
		head           int
		wantLen, wantH int
		wantFirst      int // value at items[head] after, -1: empty
	}{
		{"emptied queue restarts at the front", dropped(seq(5), 5), 5, 0, 0, -1},
		{"few dropped: left in place", dropped(seq(10), 3), 3, 10, 3, 3},
		{"1024 dropped: left in place", dropped(seq(1500), 1024), 1024, 1500, 1024, 1024},
		{"over 1024 but not half: left in place", dropped(seq(3000), 1100), 1100, 3000, 1100, 1100},
		{"over 1024 and over half: moved to the front", dropped(seq(2000), 1100), 1100, 900, 0, 1100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arr := tt.items[:cap(tt.items)]
			items, head := compactFront(tt.items, tt.head)
			if len(items) != tt.wantLen || head != tt.wantH {
				t.Fatalf("len %d head %d, want len %d head %d", len(items), head, tt.wantLen, tt.wantH)
			}
			if tt.wantFirst >= 0 && *items[head] != tt.wantFirst {
				t.Errorf("front %d, want %d", *items[head], tt.wantFirst)
			}
			// Slots past the queue hold nothing: they would keep values alive.
			if slices.ContainsFunc(arr[len(items):], func(p *int) bool { return p != nil }) {
				t.Errorf("slots past the queue still hold values")
			}
		})
	}
}
