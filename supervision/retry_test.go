package supervision_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/supervision"
)

func TestRetryPolicy_Decide(t *testing.T) {
	p := supervision.RetryPolicy{Attempts: 3, Backoff: supervision.Backoff{Initial: 10 * time.Millisecond, Max: 40 * time.Millisecond, Multiplier: 2}}
	boom := errors.New("boom")
	cases := []struct {
		name    string
		attempt int
		err     error
		dlq     bool
		want    supervision.Decision
		delay   time.Duration
	}{
		{"first failure retries", 1, boom, true, supervision.Retry, 10 * time.Millisecond},
		{"second failure retries longer", 2, boom, true, supervision.Retry, 20 * time.Millisecond},
		{"exhausted goes to dlq", 3, boom, true, supervision.DeadLetter, 0},
		{"permanent goes to dlq at once", 1, supervision.Permanent(boom), true, supervision.DeadLetter, 0},
		{"exhausted without dlq blocks", 3, boom, false, supervision.RetryBlocked, 40 * time.Millisecond},
		{"blocked delay is capped", 30, boom, false, supervision.RetryBlocked, 40 * time.Millisecond},
		{"permanent without dlq blocks", 1, supervision.Permanent(boom), false, supervision.RetryBlocked, 10 * time.Millisecond},
		{"an outage waits", 1, supervision.Outage(boom), true, supervision.Wait, 10 * time.Millisecond},
		{"an outage waits past the attempts", 3, supervision.Outage(boom), true, supervision.Wait, 40 * time.Millisecond},
		{"an outage's wait is capped", 50, supervision.Outage(boom), false, supervision.Wait, 40 * time.Millisecond},
		{"a wrapped outage waits", 5, fmt.Errorf("controller: %w", supervision.Outage(boom)), true, supervision.Wait, 40 * time.Millisecond},
		{"permanent wins over outage", 1, supervision.Permanent(supervision.Outage(boom)), true, supervision.DeadLetter, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, delay := p.Decide(c.attempt, c.err, c.dlq)
			if d != c.want || delay != c.delay {
				t.Fatalf("Decide = %v %v, want %v %v", d, delay, c.want, c.delay)
			}
		})
	}
}

func TestPermanent_keepsBothIdentities(t *testing.T) {
	cause := errors.New("bad payload")
	err := supervision.Permanent(cause)
	if !errors.Is(err, cause) || !errors.Is(err, supervision.ErrPermanent) || !supervision.IsPermanent(err) {
		t.Fatal("Permanent lost an identity")
	}
	if err.Error() != "bad payload" {
		t.Fatalf("message %q", err)
	}
	if supervision.Permanent(nil) != nil || supervision.IsPermanent(cause) {
		t.Fatal("nil or plain errors are not permanent")
	}
}

func TestOutage_keepsBothIdentities(t *testing.T) {
	cause := errors.New("registry down")
	err := supervision.Outage(cause)
	if !errors.Is(err, cause) || !errors.Is(err, supervision.ErrOutage) || !supervision.IsOutage(err) {
		t.Fatal("Outage lost an identity")
	}
	if err.Error() != "registry down" {
		t.Fatalf("message %q", err)
	}
	if supervision.Outage(nil) != nil || supervision.IsOutage(cause) {
		t.Fatal("nil or plain errors are not outages")
	}
	if supervision.IsOutage(supervision.Permanent(err)) {
		t.Fatal("a permanent outage must count as permanent, not as an outage")
	}
	if got := supervision.Wait.String(); got != "wait" {
		t.Fatalf("Wait.String() = %q", got)
	}
}

func TestRecover(t *testing.T) {
	cause := errors.New("db down")
	cases := []struct {
		name  string
		fn    func() error
		check func(t *testing.T, err error)
	}{
		{"no panic", func() error { return nil }, func(t *testing.T, err error) {
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"error returned as is", func() error { return cause }, func(t *testing.T, err error) {
			if err != cause {
				t.Fatal(err)
			}
		}},
		{"panic with string", func() error { panic("boom") }, func(t *testing.T, err error) {
			var pe *supervision.PanicError
			if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 || err.Error() != "panic: boom" {
				t.Fatalf("got %#v", err)
			}
		}},
		{"panic with error", func() error { panic(cause) }, func(t *testing.T, err error) {
			if !errors.Is(err, cause) {
				t.Fatalf("errors.Is through PanicError failed: %v", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.check(t, supervision.Recover(c.fn)) })
	}
}

func TestRetryPolicy_Validate(t *testing.T) {
	err := supervision.RetryPolicy{Attempts: 0, Backoff: supervision.DefaultBackoff()}.Validate()
	if !errors.Is(err, supervision.ErrInvalidConfig) || !contains(err.Error(), "retry.attempts") {
		t.Fatalf("got %v", err)
	}
}
