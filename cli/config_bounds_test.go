package cli

import (
	"errors"
	"strings"
	"testing"
)

// A number above its key's bound is refused when it is loaded, naming the
// key, where the value came from and the bound: consumer.batch_size =
// 9223372036854775807 passed `info` and made `server` panic (makechan: size
// out of range), 4294967296 exhausted its memory, and
// producer.channel_buffer_size panicked on the first message.
func TestLoad_refusesNumbersAboveTheirBound(t *testing.T) {
	tests := []struct {
		name string
		src  Sources
		want string
	}{
		{"int64 max from a flag", Sources{Set: []string{"consumer.batch_size=9223372036854775807"}},
			"consumer.batch_size (flag): 9223372036854775807 is above the maximum 100000"},
		{"2^32 from the environment", Sources{Env: []string{"KARAFKA_CONSUMER_BATCH_SIZE=4294967296"}},
			"consumer.batch_size (env KARAFKA_CONSUMER_BATCH_SIZE): 4294967296 is above the maximum 100000"},
		{"channel buffer from a file", Sources{File: writeFile(t, "producer:\n  channel_buffer_size: 9223372036854775807\n")},
			"producer.channel_buffer_size (config file "},
		{"past int64 from a file", Sources{File: writeFile(t, "consumer:\n  max_in_flight: 99999999999999999999\n")},
			"is above the maximum 1000000"},
		{"past int64 from a flag", Sources{Set: []string{"retry.attempts=99999999999999999999"}},
			`retry.attempts (flag): "99999999999999999999" is above the maximum 1000000`},
		{"max restarts", Sources{Set: []string{"supervision.max_restarts=10001"}},
			"supervision.max_restarts (flag): 10001 is above the maximum 10000"},
		{"partitions", Sources{Set: []string{"kafka.topic_partitions=2147483647"}},
			"kafka.topic_partitions (flag): 2147483647 is above the maximum 100000"},
		{"longest duration", Sources{Set: []string{"shutdown_timeout=2562047h"}},
			"shutdown_timeout (flag): 2562047h0m0s is above the maximum 596h0m0s"},
		{"session timeout past int32 milliseconds", Sources{Env: []string{"KARAFKA_CONSUMER_SESSION_TIMEOUT=597h"}},
			"consumer.session_timeout (env KARAFKA_CONSUMER_SESSION_TIMEOUT): 597h0m0s is above the maximum 596h0m0s"},
		{"infinite multiplier", Sources{Set: []string{"retry.backoff.multiplier=+Inf"}},
			"retry.backoff.multiplier (flag): +Inf is above the maximum 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("x", tt.src)
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v\nwant ErrConfig containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "maximum") {
				t.Fatalf("Load = %v; want the bound named", err)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != 1 {
				t.Fatalf("Load = %v; want one problem, got %d lines", err, n)
			}
		})
	}
}
