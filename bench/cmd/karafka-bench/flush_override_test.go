package main

import (
	"os"
	"testing"
	"time"
)

// TestFlushOverride_distinguishesUnsetFromZero checks that an impl variant
// of 0s turns off both sarama flush triggers (only then does sarama send as
// soon as it can), while no variant leaves the defaults alone.
func TestFlushOverride_distinguishesUnsetFromZero(t *testing.T) {
	tests := []struct {
		name     string
		env      *string
		freq     time.Duration
		msgs     int
		wantFreq time.Duration
		wantMsgs int
	}{
		{name: "unset keeps defaults", freq: 5 * time.Millisecond, msgs: 500, wantFreq: 5 * time.Millisecond, wantMsgs: 500},
		{name: "unset keeps no linger", wantFreq: 0, wantMsgs: 0},
		{name: "0s is no linger", env: ptr("0s"), freq: 5 * time.Millisecond, msgs: 500, wantFreq: 0, wantMsgs: 0},
		{name: "1ms keeps the record trigger", env: ptr("1ms"), freq: 5 * time.Millisecond, msgs: 500, wantFreq: time.Millisecond, wantMsgs: 500},
		{name: "5ms over no linger restores the old default", env: ptr("5ms"), wantFreq: 5 * time.Millisecond, wantMsgs: 500},
		{name: "not a duration keeps defaults", env: ptr("soon"), freq: 5 * time.Millisecond, msgs: 500, wantFreq: 5 * time.Millisecond, wantMsgs: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KB_FLUSH_FREQUENCY", "") // restored after the test
			if tt.env == nil {
				_ = os.Unsetenv("KB_FLUSH_FREQUENCY")
			} else {
				t.Setenv("KB_FLUSH_FREQUENCY", *tt.env)
			}
			f, m := flushOverride(tt.freq, tt.msgs)
			if f != tt.wantFreq || m != tt.wantMsgs {
				t.Errorf("flushOverride(%s, %d) = %s, %d; want %s, %d", tt.freq, tt.msgs, f, m, tt.wantFreq, tt.wantMsgs)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
