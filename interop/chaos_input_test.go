package interop_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestChaos_malformed: one input in ten is malformed, half of them not JSON
// at all, half JSON without the "id" the controller needs. Each is
// dead-lettered exactly once, unchanged, with headers naming its origin,
// the error and one attempt; every other input is answered.
func TestChaos_malformed(t *testing.T) {
	skipChaos(t)
	const inputs = 20000
	bad := func(id int64) bool { return id%10 == 0 }
	value := func(id int) string {
		switch id % 20 {
		case 0:
			return fmt.Sprintf(`not json %d`, id)
		case 10:
			return fmt.Sprintf(`{"name":"repository %d"}`, id)
		}
		return fmt.Sprintf(`{"id":%d}`, id)
	}
	wantError := func(id int64) string {
		if id%20 == 0 {
			return "invalid JSON"
		}
		return `missing numeric "id"`
	}
	r := newChaos(t, "10% malformed inputs", chaosTarget(t, ""), 6, 2)
	r.stream(2000, value)
	waitUntil(t, r.within(time.Minute), fmt.Sprintf("%d inputs sent", inputs), func() bool { return r.st.sent.Load() >= inputs }, r.slots...)
	res := r.finish(2*time.Minute, bad)

	perID := map[int64]int{}
	wrong := 0
	for _, d := range res.deadLetters {
		perID[d.id]++
		if !bad(d.id) || d.id > int64(len(res.inputs1)-1) {
			continue
		}
		in := res.inputs1[d.id]
		want := map[string]string{
			"karafka.origin.topic":     r.a.input(),
			"karafka.origin.partition": strconv.Itoa(int(in.partition)),
			"karafka.origin.offset":    strconv.FormatInt(in.offset, 10),
			"karafka.attempts":         "1",
			"karafka.stage":            "controller",
		}
		var diffs []string
		for k, v := range want {
			if d.headers[k] != v {
				diffs = append(diffs, fmt.Sprintf("%s %q, want %q", k, d.headers[k], v))
			}
		}
		if e := d.headers["karafka.error"]; !strings.Contains(e, wantError(d.id)) {
			diffs = append(diffs, fmt.Sprintf("karafka.error %q, want it to contain %q", e, wantError(d.id)))
		}
		if d.value != value(int(d.id)) {
			diffs = append(diffs, fmt.Sprintf("value %q, want the input's %q", d.value, value(int(d.id))))
		}
		if len(diffs) > 0 {
			if wrong++; wrong <= 5 {
				t.Errorf("dead letter of input %d: %s", d.id, strings.Join(diffs, "; "))
			}
		}
	}
	if wrong > 5 {
		t.Errorf("%d dead letters wrong in all", wrong)
	}
	for id := int64(1); id <= int64(res.inputs); id++ {
		if bad(id) && perID[id] != 1 {
			t.Errorf("malformed input %d dead-lettered %d times, want once", id, perID[id])
		}
		if !bad(id) && perID[id] != 0 {
			t.Errorf("well-formed input %d dead-lettered", id)
		}
	}
}

// EnvChaosSlowMS sets how slow the slow controller is, in milliseconds per
// input (default 10).
const EnvChaosSlowMS = "KARAFKA_TEST_CHAOS_SLOW_MS"

// TestChaos_slowController: two servers share a 6-partition input topic.
// Three times, for 3 s, every input makes the controller take 10 ms (the
// partitions fall behind: 600 inputs/s of capacity for 1000/s offered), and
// halfway through each slow spell one server gets SIGTERM and is started
// again, so partitions with slow work in flight are revoked and drained.
// Every stop exits 0 and every input is answered; recovery is measured from
// the end of each slow spell.
func TestChaos_slowController(t *testing.T) {
	skipChaos(t)
	const (
		spells = 3
		spell  = 3 * time.Second
	)
	slowMS := 10
	if v := os.Getenv(EnvChaosSlowMS); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number of milliseconds", EnvChaosSlowMS, v)
		}
		slowMS = n
	}
	var slow atomic.Bool
	value := func(id int) string {
		if slow.Load() {
			return fmt.Sprintf(`{"id":%d,"sleep_ms":%d}`, id, slowMS)
		}
		return fmt.Sprintf(`{"id":%d}`, id)
	}
	r := newChaos(t, fmt.Sprintf("slow controller (%dms/input) 3s x3, a SIGTERM in each", slowMS), chaosTarget(t, ""), 6, 2)
	r.stream(1000, value)
	r.warmUp(2000)
	for i := range spells {
		r.sleep(8 * time.Second)
		start := time.Now()
		slow.Store(true)
		r.sleep(spell / 2)
		slot := i % len(r.slots)
		f, s := r.signal(slot, syscall.SIGTERM, 45*time.Second)
		if s.err != nil {
			t.Errorf("server %d exited with %v after SIGTERM, want exit 0", s.id, s.err)
		}
		r.notef("SIGTERM to exit %v", round(f.end.Sub(f.start)))
		r.restart(slot)
		r.sleep(time.Until(start.Add(spell)))
		slow.Store(false)
		r.addFault("slow", start, time.Now())
	}
	r.sleep(8 * time.Second)
	r.finish(3*time.Minute, nil)
}
