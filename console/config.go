package console

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrInvalidConfig is wrapped by every error of Config.Validate.
var ErrInvalidConfig = errors.New("console: invalid configuration")

// Config is the console's part of the configuration (keys console.*).
type Config struct {
	// Reports makes the process publish its report to ReportsTopic every
	// ReportInterval (console.reports), so that any console sees it.
	Reports bool
	// ReportsTopic is the compacted topic of the reports
	// (console.reports_topic); `topics create` creates it.
	ReportsTopic string
	// ReportInterval is how often a process reports
	// (console.report_interval). A process is stale after three
	// intervals without a report.
	ReportInterval time.Duration
	// Actions turns on the console's actions (console.actions): pause and
	// resume a partition, skip a failing record, replay dead letters.
	// Off, the console is read-only.
	Actions bool
	// Token authenticates an action (console.token): its request carries
	// "Authorization: Bearer TOKEN".
	Token string
	// AuthHeader names a header a reverse proxy in front of the console
	// sets to the authenticated user (console.auth_header), such as
	// X-Forwarded-User: a request carrying it is authenticated as that
	// user. Only for a console that nothing but the proxy can reach.
	AuthHeader string
}

// DefaultReportsTopic is the default of console.reports_topic.
const DefaultReportsTopic = "karafka_actors_reports"

// DefaultConfig returns the defaults: no reports, 5 s interval, actions off.
func DefaultConfig() Config {
	return Config{ReportsTopic: DefaultReportsTopic, ReportInterval: 5 * time.Second}
}

// Validate returns an error wrapping ErrInvalidConfig naming the key at
// fault.
func (c Config) Validate() error {
	var errs []error
	if c.Reports && strings.TrimSpace(c.ReportsTopic) == "" {
		errs = append(errs, fmt.Errorf("%w: console.reports_topic is empty", ErrInvalidConfig))
	}
	if c.ReportInterval < 100*time.Millisecond || c.ReportInterval > time.Hour {
		errs = append(errs, fmt.Errorf("%w: console.report_interval %v is outside 100ms..1h", ErrInvalidConfig, c.ReportInterval))
	}
	if c.Actions && c.Token == "" && c.AuthHeader == "" {
		errs = append(errs, fmt.Errorf("%w: console.actions needs console.token or console.auth_header: actions are never open to anyone", ErrInvalidConfig))
	}
	if c.Token != "" && len(c.Token) < 16 {
		errs = append(errs, fmt.Errorf("%w: console.token is %d characters, want at least 16", ErrInvalidConfig, len(c.Token)))
	}
	return errors.Join(errs...)
}

// ReportsTopicConfigs are the configs `topics create` gives the reports
// topic: compacted (a process's latest report stays), with an hour of
// reports kept uncompacted for the history, and every report gone after a
// day (a process that stopped for good drops out).
func ReportsTopicConfigs() map[string]string {
	return map[string]string{
		"cleanup.policy":        "compact,delete",
		"retention.ms":          "86400000",
		"min.compaction.lag.ms": "3600000",
		"segment.ms":            "3600000",
	}
}
