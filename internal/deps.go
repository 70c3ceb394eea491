//go:build tools

// Package internal pins the module's direct dependencies until the code uses them.
package internal

import (
	_ "github.com/IBM/sarama"
	_ "github.com/asynkron/protoactor-go/actor"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/viper"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "go.uber.org/goleak"
)
