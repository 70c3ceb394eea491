package kafka_test

import (
	"fmt"

	"github.com/karafka-actors/karafka-actors/kafka"
)

func ExampleConfig_Validate() {
	c := kafka.DefaultConfig()
	c.SASL.Mechanism = "FOO"
	fmt.Println(c.Validate())
	// Output:
	// kafka: invalid config: kafka.brokers: at least one broker is required
	// kafka: invalid config: kafka.sasl.mechanism: "FOO" (allowed: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
}

func ExampleConfig_Redacted() {
	c := kafka.DefaultConfig()
	c.Brokers = []string{"kafka-1:9092"}
	c.SASL = kafka.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "app", Password: "s3cret"}
	r := c.Redacted()
	fmt.Println(r.Brokers, r.SASL.Username, r.SASL.Password)
	// Output: [kafka-1:9092] app ******
}
