package interop_test

import (
	"slices"
	"testing"
	"time"
)

// recoveryTimes measures how the app recovered from f, from f.end:
//
//   - first: to the earliest answer written at or after f.end to an input of
//     a partition f hit (every partition when f.partitions is nil); ok is
//     false when no such answer exists (the fault hit no partition, or none
//     of its partitions had inputs afterwards);
//   - all: until every input sent at or before f.end had its first answer
//     (0 when all of them were answered before f.end). An input counts as
//     sent when the streamer first tried to write it: a write a broker fault
//     held up is part of the backlog the fault left.
//
// inputs is indexed by id (index 0 unused), answers holds every response,
// first is each id's first answer (response or dead letter).
func recoveryTimes(f fault, inputs []inputMeta, answers []answer, first map[int64]time.Time) (firstAnswer, all time.Duration, ok bool) {
	hit := func(id int64) bool {
		if f.partitions == nil {
			return true
		}
		return id >= 1 && id < int64(len(inputs)) && f.partitions[inputs[id].partition]
	}
	for _, a := range answers {
		if a.at.Before(f.end) || !hit(a.id) {
			continue
		}
		if d := a.at.Sub(f.end); !ok || d < firstAnswer {
			firstAnswer, ok = d, true
		}
	}
	for id := 1; id < len(inputs); id++ {
		in := inputs[id]
		if in.sent.IsZero() || in.sent.After(f.end) {
			continue
		}
		if at, answered := first[int64(id)]; answered {
			all = max(all, at.Sub(f.end))
		}
	}
	return firstAnswer, all, ok
}

// longestGap returns the longest time without an answer from since on: the
// largest distance between since and the answers after it, in time order.
func longestGap(since time.Time, answers []time.Time) time.Duration {
	ts := slices.SortedFunc(slices.Values(answers), time.Time.Compare)
	var gap time.Duration
	prev := since
	for _, at := range ts {
		if at.Before(since) {
			continue
		}
		gap = max(gap, at.Sub(prev))
		prev = at
	}
	return gap
}

// median returns the median of ds (0 for none).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func TestRecoveryTimes_measuresFromTheFaultsEnd(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	// Inputs 1..4: 1 and 2 on partition 0, 3 and 4 on partition 1; 1..3
	// sent before the fault ends at 0 ms, 4 after it.
	inputs := []inputMeta{{}, {partition: 0, sent: at(-300)}, {partition: 0, sent: at(-200)}, {partition: 1, sent: at(-100)}, {partition: 1, sent: at(50)}}
	tests := []struct {
		name      string
		fault     fault
		answers   []answer
		wantFirst time.Duration
		wantAll   time.Duration
		wantOK    bool
	}{
		{
			name:      "every partition hit",
			fault:     fault{end: at(0)},
			answers:   []answer{{1, at(-250)}, {2, at(400)}, {3, at(150)}, {4, at(900)}},
			wantFirst: 150 * time.Millisecond, wantAll: 400 * time.Millisecond, wantOK: true,
		},
		{
			name:      "only partition 0 hit: partition 1's answers do not count as first",
			fault:     fault{end: at(0), partitions: map[int32]bool{0: true}},
			answers:   []answer{{3, at(20)}, {2, at(700)}, {1, at(-250)}},
			wantFirst: 700 * time.Millisecond, wantAll: 700 * time.Millisecond, wantOK: true,
		},
		{
			name:    "everything answered before the fault ended",
			fault:   fault{end: at(0)},
			answers: []answer{{1, at(-250)}, {2, at(-150)}, {3, at(-50)}},
			wantAll: 0, wantOK: false,
		},
		{
			name:      "a duplicate after the fault is an answer after it; all counts first answers",
			fault:     fault{end: at(0), partitions: map[int32]bool{0: true}},
			answers:   []answer{{1, at(-250)}, {2, at(-150)}, {3, at(-50)}, {1, at(300)}},
			wantFirst: 300 * time.Millisecond, wantAll: 0, wantOK: true,
		},
		{
			name:    "a fault on no partition has no first answer",
			fault:   fault{end: at(0), partitions: map[int32]bool{}},
			answers: []answer{{1, at(10)}, {2, at(20)}, {3, at(30)}},
			wantAll: 30 * time.Millisecond, wantOK: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := map[int64]time.Time{}
			for _, a := range tt.answers {
				if f, ok := first[a.id]; !ok || a.at.Before(f) {
					first[a.id] = a.at
				}
			}
			gotFirst, gotAll, ok := recoveryTimes(tt.fault, inputs, tt.answers, first)
			if ok != tt.wantOK || (ok && gotFirst != tt.wantFirst) || gotAll != tt.wantAll {
				t.Errorf("recoveryTimes = first %v (ok %v), all %v; want first %v (ok %v), all %v",
					gotFirst, ok, gotAll, tt.wantFirst, tt.wantOK, tt.wantAll)
			}
		})
	}
}

func TestLongestGap_fromSinceOverSortedAnswers(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	tests := []struct {
		name    string
		answers []time.Time
		want    time.Duration
	}{
		{"none", nil, 0},
		{"answers before since do not count", []time.Time{at(-900), at(100)}, 100 * time.Millisecond},
		{"since to the first answer", []time.Time{at(700), at(750)}, 700 * time.Millisecond},
		{"unsorted", []time.Time{at(900), at(100), at(200)}, 700 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := longestGap(t0, tt.answers); got != tt.want {
				t.Errorf("longestGap = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMedian_middleOfTheSortedValues(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"none", nil, 0},
		{"odd", []time.Duration{3, 1, 2}, 2},
		{"even", []time.Duration{4, 1, 3, 2}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
