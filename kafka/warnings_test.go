package kafka_test

import (
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/kafka"
)

func TestConfig_warnings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*kafka.Config)
		want []string // a substring of each warning, in order
	}{
		{"defaults", func(*kafka.Config) {}, nil},
		{"TLS verified", func(c *kafka.Config) { c.TLS.Enabled = true }, nil},
		{"TLS not verified", func(c *kafka.Config) { c.TLS.Enabled, c.TLS.InsecureSkipVerify = true, true },
			[]string{"kafka.tls.insecure_skip_verify is true: broker certificates are not verified"}},
		{"skip verify without TLS", func(c *kafka.Config) { c.TLS.InsecureSkipVerify = true },
			[]string{"kafka.tls.insecure_skip_verify is true and kafka.tls.enabled false"}},
		{"PLAIN without TLS", func(c *kafka.Config) { c.SASL = kafka.SASLConfig{Mechanism: "plain", Username: "u", Password: "p"} },
			[]string{"kafka.sasl.mechanism is PLAIN without kafka.tls.enabled: the SASL password is sent to the brokers in clear text"}},
		{"PLAIN over TLS", func(c *kafka.Config) {
			c.TLS.Enabled = true
			c.SASL = kafka.SASLConfig{Mechanism: "PLAIN", Username: "u", Password: "p"}
		}, nil},
		{"SCRAM without TLS", func(c *kafka.Config) {
			c.SASL = kafka.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "u", Password: "p"}
		}, nil},
		{"both", func(c *kafka.Config) {
			c.TLS.InsecureSkipVerify = true
			c.SASL = kafka.SASLConfig{Mechanism: " PLAIN ", Username: "u", Password: "secret"}
		}, []string{"insecure_skip_verify", "PLAIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := kafka.DefaultConfig()
			c.Brokers = []string{"127.0.0.1:9092"}
			tt.edit(&c)
			got := c.Warnings()
			if len(got) != len(tt.want) {
				t.Fatalf("Warnings() = %q, want %d naming %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %d = %q, want it to say %q", i, got[i], w)
				}
				if strings.Contains(got[i], "secret") {
					t.Errorf("warning %d = %q shows the password", i, got[i])
				}
			}
		})
	}
}
