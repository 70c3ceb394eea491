package cli_test

import (
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// onTestClient runs a command on the client library the tests run on
// (KARAFKA_TEST_CLIENT: sarama, the default, or franz).
var onTestClient = cli.WithDefaults(func(s *cli.Settings) { s.Kafka.Client = testkafka.Client() })
