package main

import (
	"fmt"
	"strings"
	"testing"
)

// Each trial is paired with the karafka trial run nearest to it (the
// earlier on a tie): in A B C C B A rounds, the first B and C with the
// first A, the second ones with the second A; failed trials pair with
// nothing.
func TestResults_pairsEachTrialWithTheNearestKarafkaTrial(t *testing.T) {
	tr := func(impl string, rate, cpu float64) Trial {
		return Trial{Impl: impl, SteadyRate: rate, CPUus: cpu}
	}
	r := Results{Throughput: []Trial{
		tr("karafka", 100, 10), tr("b", 200, 5), tr("c", 50, 40), tr("c", 25, 80), tr("b", 300, 6), tr("karafka", 300, 12),
		tr("karafka", 999, 1), {Impl: "b", Err: "failed"}, tr("c", 999, 1),
	}}
	r.summarize()
	want := map[string]Paired{
		"b": {Rate: 1.5, CPU: 0.5, RateRatios: []float64{2, 1}, CPURatios: []float64{0.5, 0.5}},
		"c": {Rate: 0.5, CPU: 4, RateRatios: []float64{0.5, 0.083, 1}, CPURatios: []float64{4, 6.667, 1}},
	}
	for _, s := range r.Summary {
		w, ok := want[s.Impl]
		if !ok {
			if s.Paired != nil {
				t.Errorf("%s paired: %+v", s.Impl, s.Paired)
			}
			continue
		}
		if s.Paired == nil || fmt.Sprint(*s.Paired) != fmt.Sprint(w) {
			t.Errorf("%s: paired %+v, want %+v", s.Impl, s.Paired, w)
		}
	}
	if md := r.markdown(); !strings.Contains(md, "| b | 2 | 1.50× (1.00–2.00) | 0.50× (0.50–0.50) |") {
		t.Errorf("markdown lacks b's pair ratios:\n%s", md)
	}
}
