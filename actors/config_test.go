package actors

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestConsumerConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*ConsumerConfig)
		want   string // "" = valid
	}{
		{name: "defaults", modify: func(*ConsumerConfig) {}},
		{name: "heartbeat at sarama's 1ms floor", modify: func(c *ConsumerConfig) { c.HeartbeatInterval = time.Millisecond }},
		// sarama refuses a heartbeat below 1ms. Validate let it through, so it
		// failed later in sarama's words (Consumer.Group.Heartbeat.Interval),
		// and before consumerSarama validated, only in NewConsumerGroup,
		// retried for ever as an unreachable broker. Found by
		// FuzzConsumerConfig_sarama (testdata/fuzz/FuzzConsumerConfig_sarama/4921a07b2a4a3201).
		{name: "heartbeat below 1ms", modify: func(c *ConsumerConfig) { c.HeartbeatInterval = 999935 * time.Nanosecond },
			want: "consumer.heartbeat_interval: 999.935µs must be at least 1ms and below session_timeout (10s)"},
		{name: "heartbeat not below session", modify: func(c *ConsumerConfig) { c.HeartbeatInterval = c.SessionTimeout },
			want: "consumer.heartbeat_interval: 10s must be at least 1ms and below session_timeout (10s)"},
		{name: "fetch max wait at 1ms", modify: func(c *ConsumerConfig) { c.FetchMaxWait = time.Millisecond }},
		{name: "fetch max wait zero", modify: func(c *ConsumerConfig) { c.FetchMaxWait = 0 },
			want: "consumer.fetch_max_wait: 0s is outside 1ms..1m0s"},
		{name: "fetch max wait past a minute", modify: func(c *ConsumerConfig) { c.FetchMaxWait = 2 * time.Minute },
			want: "consumer.fetch_max_wait: 2m0s is outside 1ms..1m0s"},
		{name: "session below 1s", modify: func(c *ConsumerConfig) { c.SessionTimeout = time.Second - 1 }, want: "consumer.session_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConsumerConfig()
			tt.modify(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if !errors.Is(err, errInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate = %v; want errInvalidConfig containing %q", err, tt.want)
			}
		})
	}
}
