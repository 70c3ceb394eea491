package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/karafka-actors/karafka-actors/ops"
)

// ReportVersion is the version of the report document a process
// publishes; a console skips reports of another version.
const ReportVersion = 1

// MaxReportBytes bounds a report a console reads; a larger record on the
// reports topic is skipped (and counted), so that a hostile or broken
// writer cannot make the console hold more.
const MaxReportBytes = 1 << 20

// Report is what a process publishes to the reports topic, keyed by its
// Process.ID: its live state (GET /api/state of package ops), its recent
// failures and who it is.
type Report struct {
	Version int       `json:"version"`
	App     string    `json:"app"`
	Process Process   `json:"process"`
	Time    time.Time `json:"time"`
	// IntervalMS is the process's console.report_interval: the console
	// marks it stale after three intervals without a report.
	IntervalMS int64 `json:"interval_ms"`
	// Final: the process stopped (its last report, sent on shutdown).
	Final bool `json:"final,omitempty"`
	// Guarantee is processing.guarantee: at_least_once or exactly_once.
	Guarantee string       `json:"guarantee"`
	State     ops.State    `json:"state"`
	Errors    []ErrorEntry `json:"errors"`
}

// Process names one process of the deployment.
type Process struct {
	// ID is the key of its reports: consumer.instance_id when set (a
	// restarted pod takes its own place), else host-pid-random.
	ID         string    `json:"id"`
	Host       string    `json:"host"`
	PID        int       `json:"pid"`
	InstanceID string    `json:"instance_id"`
	Started    time.Time `json:"started"`
	// ConsoleURL is where the process serves its own console, "" when it
	// serves none: its partitions' actions are taken there.
	ConsoleURL string `json:"console_url"`
}

// ErrorEntry is one failed try of a message.
type ErrorEntry struct {
	Process   string    `json:"process,omitempty"`
	Time      time.Time `json:"time"`
	Topic     string    `json:"topic"`
	Group     string    `json:"group"`
	Partition int32     `json:"partition"`
	Offset    int64     `json:"offset"`
	// Key is the record's key as text (escaped as in consume's output when
	// it is not printable UTF-8), nil for a null key or a batch span.
	Key     *string `json:"key"`
	Error   string  `json:"error"`
	Attempt int     `json:"attempt"`
	Stage   string  `json:"stage"`
}

// ErrBadReport is wrapped by decodeReport's errors.
var ErrBadReport = errors.New("console: not a report")

// Bounds of a report a console takes in: whoever can write to the reports
// topic must not make a console hold more than this, or forge a process
// that never goes stale.
const (
	maxReportRoutes     = 1000
	maxReportPartitions = 10000
	maxIDBytes          = 256
	maxURLBytes         = 2048
	// maxClockSkew is how far ahead of the console's clock a report may
	// be dated.
	maxClockSkew = time.Minute
)

// decodeReport reads a record of the reports topic (key is the record's
// key, nil when it has none) and checks it against the bounds above, at
// now.
func decodeReport(value, key []byte, now time.Time) (Report, error) {
	var r Report
	if len(value) > MaxReportBytes {
		return r, fmt.Errorf("%w: %d bytes, more than %d", ErrBadReport, len(value), MaxReportBytes)
	}
	if err := json.Unmarshal(value, &r); err != nil {
		return r, fmt.Errorf("%w: %w", ErrBadReport, err)
	}
	switch {
	case r.Version != ReportVersion:
		return r, fmt.Errorf("%w: version %d, want %d", ErrBadReport, r.Version, ReportVersion)
	case r.Process.ID == "" || r.Time.IsZero():
		return r, fmt.Errorf("%w: no process id or time", ErrBadReport)
	case key != nil && string(key) != r.Process.ID:
		return r, fmt.Errorf("%w: keyed %q but names process %q", ErrBadReport, cut(string(key), 64), cut(r.Process.ID, 64))
	case len(r.Process.ID) > maxIDBytes || len(r.App) > maxIDBytes || len(r.Process.ConsoleURL) > maxURLBytes:
		return r, fmt.Errorf("%w: a process id or app name over %d bytes, or a console URL over %d", ErrBadReport, maxIDBytes, maxURLBytes)
	case r.IntervalMS < 100 || r.IntervalMS > time.Hour.Milliseconds():
		return r, fmt.Errorf("%w: interval %d ms outside 100 ms..1 h", ErrBadReport, r.IntervalMS)
	case r.Time.After(now.Add(maxClockSkew)):
		return r, fmt.Errorf("%w: dated %v, ahead of this console's clock by more than %v", ErrBadReport, r.Time, maxClockSkew)
	case r.Time.Before(now.Add(-HistoryWindow)):
		return r, fmt.Errorf("%w: dated %v, older than the history window", ErrBadReport, r.Time)
	case len(r.Errors) > MaxErrors || len(r.State.Routes) > maxReportRoutes || len(r.State.Partitions) > maxReportPartitions:
		return r, fmt.Errorf("%w: %d errors, %d routes, %d partitions: more than %d, %d, %d",
			ErrBadReport, len(r.Errors), len(r.State.Routes), len(r.State.Partitions), MaxErrors, maxReportRoutes, maxReportPartitions)
	}
	return r, nil
}
