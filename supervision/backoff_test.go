package supervision_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/supervision"
)

func TestBackoff_Delay(t *testing.T) {
	b := supervision.Backoff{Initial: 100 * time.Millisecond, Max: 2 * time.Second, Multiplier: 2}
	cases := []struct {
		attempt int
		want    time.Duration
	}{
		{0, 100 * time.Millisecond}, {1, 100 * time.Millisecond}, {2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond}, {5, 1600 * time.Millisecond}, {6, 2 * time.Second}, {1_000_000, 2 * time.Second},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.attempt), func(t *testing.T) {
			if got := b.Delay(c.attempt); got != c.want {
				t.Fatalf("Delay(%d) = %v, want %v", c.attempt, got, c.want)
			}
		})
	}
}

func TestBackoff_jitterStaysInBounds(t *testing.T) {
	b := supervision.Backoff{Initial: 100 * time.Millisecond, Max: 300 * time.Millisecond, Multiplier: 2, Jitter: 0.5}
	seen := map[time.Duration]bool{}
	for i := 0; i < 2000; i++ {
		d := b.Delay(2) // 200ms ± 100ms, capped at 300ms
		if d < 100*time.Millisecond || d > 300*time.Millisecond {
			t.Fatalf("Delay(2) = %v outside [100ms, 300ms]", d)
		}
		seen[d] = true
		if d := b.Delay(50); d > b.Max || d < 150*time.Millisecond {
			t.Fatalf("Delay(50) = %v outside [150ms, Max]", d)
		}
	}
	if len(seen) < 10 {
		t.Fatalf("jitter produced only %d distinct delays", len(seen))
	}
}

func TestBackoff_Validate(t *testing.T) {
	err := supervision.Backoff{Initial: 0, Max: -1, Multiplier: 0.5, Jitter: 2}.Validate("retry.backoff")
	if !errors.Is(err, supervision.ErrInvalidConfig) {
		t.Fatalf("got %v", err)
	}
	for _, key := range []string{"retry.backoff.initial", "retry.backoff.max", "retry.backoff.multiplier", "retry.backoff.jitter"} {
		if !contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	if err := supervision.DefaultBackoff().Validate("x"); err != nil {
		t.Fatal(err)
	}
}

// NaN compares false with everything, so "multiplier < 1" let it through
// (found by cli.FuzzLoad_yaml's seed "multiplier: .nan"; "NaN" in the
// environment or --set loaded too). A NaN multiplier jumped straight to Max,
// a NaN jitter meant no jitter.
func TestBackoff_Validate_refusesNaN(t *testing.T) {
	tests := []struct {
		name string
		b    supervision.Backoff
		key  string
	}{
		{name: "multiplier", b: supervision.Backoff{Initial: time.Second, Max: time.Minute, Multiplier: math.NaN()}, key: "b.multiplier: NaN"},
		{name: "jitter", b: supervision.Backoff{Initial: time.Second, Max: time.Minute, Multiplier: 2, Jitter: math.NaN()}, key: "b.jitter: NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate("b")
			if !errors.Is(err, supervision.ErrInvalidConfig) || !contains(err.Error(), tt.key) {
				t.Fatalf("Validate = %v; want ErrInvalidConfig naming %q", err, tt.key)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestBackoff_noOverflow(t *testing.T) {
	cases := []struct {
		name string
		b    supervision.Backoff
		want time.Duration
	}{
		{"max duration", supervision.Backoff{Initial: time.Second, Max: math.MaxInt64, Multiplier: 2}, math.MaxInt64},
		{"huge multiplier", supervision.Backoff{Initial: time.Second, Max: time.Hour, Multiplier: math.MaxFloat64}, time.Hour},
		{"max duration with jitter", supervision.Backoff{Initial: time.Second, Max: math.MaxInt64, Multiplier: 2, Jitter: 1}, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, attempt := range []int{64, 1_000_000, math.MaxInt} {
				got := c.b.Delay(attempt)
				if got < 0 || got > c.b.Max || (c.want >= 0 && got != c.want) {
					t.Fatalf("Delay(%d) = %v, want %v", attempt, got, c.want)
				}
			}
		})
	}
}

func ExampleBackoff_Delay() {
	b := supervision.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}
	for attempt := 1; attempt <= 5; attempt++ {
		fmt.Println(b.Delay(attempt))
	}
	// Output:
	// 100ms
	// 200ms
	// 400ms
	// 800ms
	// 1s
}
