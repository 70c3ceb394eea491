package interop_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestGroup_threeProcessesOneKilled: three server processes share the
// consumer group of a 12-partition input topic; partitions spread across all
// three; one is SIGKILLed mid-stream, the other two take its partitions after
// the session timeout, and every input is answered. Duplicates (inputs the
// killed process answered but had not committed yet) are counted and logged.
func TestGroup_threeProcessesOneKilled(t *testing.T) {
	const (
		partitions = 12
		inputs     = 6000
		over       = 6 * time.Second
	)
	tg := current(t)
	a := newApp(t, "group")
	a.create(t, tg.brokers, partitions, 3)
	args := serverArgs(a, tg.brokers, "--set", "consumer.session_timeout=6s", "--set", "consumer.heartbeat_interval=1s")
	servers := []*server{startServer(t, 1, a, args...), startServer(t, 2, a, args...), startServer(t, 3, a, args...)}

	held := func(ss ...*server) (union map[int32]bool, sum int, each []int) {
		union = map[int32]bool{}
		for _, s := range ss {
			h := s.assigned(a.input())
			maps.Copy(union, h)
			sum += len(h)
			each = append(each, len(h))
		}
		return union, sum, each
	}
	t0 := time.Now()
	waitUntil(t, 90*time.Second, "the 12 partitions spread over the three servers", func() bool {
		union, sum, each := held(servers...)
		return len(union) == partitions && sum == partitions && !slices.Contains(each, 0)
	}, servers...)
	_, _, each := held(servers...)
	t.Logf("%s: partitions per server after %v: %v", tg.name, time.Since(t0).Round(time.Millisecond), each)

	col := collect(t, tg.brokers, a.output())
	st := stream(t, tg.brokers, a.input(), inputs, over)

	victim, survivors := servers[1], []*server{servers[0], servers[2]}
	waitUntil(t, 60*time.Second, "a third of the inputs sent", func() bool { return st.sent.Load() >= inputs/3 }, servers...)
	victimHeld := slices.Sorted(maps.Keys(victim.assigned(a.input())))
	answeredAtKill := col.answered(inputs)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	killed := time.Now()
	t.Logf("%s: SIGKILLed server 2 (partitions %v) with %d inputs sent, %d answered", tg.name, victimHeld, st.sent.Load(), answeredAtKill)

	waitUntil(t, 60*time.Second, "the two survivors to hold all 12 partitions", func() bool {
		union, sum, _ := held(survivors...)
		return len(union) == partitions && sum == partitions
	}, survivors...)
	_, _, each = held(survivors...)
	t.Logf("%s: survivors took over after %v: partitions per survivor %v", tg.name, time.Since(killed).Round(time.Millisecond), each)

	st.wait(t, 2*time.Minute)
	waitUntil(t, 90*time.Second, "every input answered", func() bool { return col.answered(inputs) == inputs }, survivors...)
	time.Sleep(time.Second) // late duplicates
	col.stop()
	dups, dupIDs := col.report(t, inputs)
	var restarts []string
	for _, s := range survivors {
		restarts = append(restarts, fmt.Sprintf("server %d: %d assigned, %d revoked lines, %d warnings", s.id,
			s.count("partition assigned"), s.count("partition revoked"), warnings(s)))
	}
	t.Logf("%s: %d inputs, %d responses, %d duplicates (%d ids answered twice or more); kill to all answered %v; %s",
		tg.name, inputs, inputs+dups, dups, dupIDs, time.Since(killed).Round(time.Millisecond), strings.Join(restarts, "; "))
}

// warnings counts a server's WARN and ERROR log lines.
func warnings(s *server) int {
	n := 0
	for _, l := range s.lines() {
		if l.Level == "WARN" || l.Level == "ERROR" {
			n++
		}
	}
	return n
}
