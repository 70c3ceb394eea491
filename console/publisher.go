package console

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/karafka-actors/karafka-actors/ops"
	"github.com/karafka-actors/karafka-actors/producer"
)

// NewProcess names this process: by instanceID (consumer.instance_id)
// when set, else by host, pid and a random suffix. consoleURL is where it
// serves its console ("" for none).
func NewProcess(instanceID, consoleURL string) Process {
	host, _ := os.Hostname()
	p := Process{Host: host, PID: os.Getpid(), InstanceID: instanceID, Started: time.Now().UTC(), ConsoleURL: consoleURL}
	if instanceID != "" {
		p.ID = instanceID
		return p
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	p.ID = fmt.Sprintf("%s-%d-%s", host, p.PID, hex.EncodeToString(b[:]))
	return p
}

// Sender sends one report; *producer.Producer's Send fits through
// ProducerSender.
type Sender func(ctx context.Context, key, value []byte) error

// ProducerSender sends reports to topic through p.
func ProducerSender(p *producer.Producer, topic string) Sender {
	return func(ctx context.Context, key, value []byte) error {
		_, err := p.Send(ctx, &producer.Message{Topic: topic, Key: key, Value: value})
		return err
	}
}

// Publisher publishes a process's report every interval: to the reports
// topic through its Sender (when reports are on) and to a local
// Collector (the console the process serves, whose history then needs no
// topic).
type Publisher struct {
	app       string
	guarantee string
	proc      Process
	interval  time.Duration
	state     func() ops.State
	errs      *ErrorLog
	send      Sender     // nil: no reports topic
	local     *Collector // nil: no local console
	log       *slog.Logger
}

// PublisherConfig is what NewPublisher needs.
type PublisherConfig struct {
	App       string
	Guarantee string
	Process   Process
	Interval  time.Duration
	// State is the process's live state (ops.Handler.State).
	State func() ops.State
	// Errors is the process's error log (may be nil).
	Errors *ErrorLog
	// Send publishes to the reports topic; nil: reports are off.
	Send Sender
	// Local receives every report too; nil: none.
	Local *Collector
	Log   *slog.Logger
}

// NewPublisher returns a Publisher; Run starts it.
func NewPublisher(c PublisherConfig) *Publisher {
	if c.Log == nil {
		c.Log = slog.Default()
	}
	if c.Errors == nil {
		c.Errors = NewErrorLog()
	}
	return &Publisher{app: c.App, guarantee: c.Guarantee, proc: c.Process, interval: c.Interval, state: c.State,
		errs: c.Errors, send: c.Send, local: c.Local, log: c.Log}
}

// Report returns the process's report now. Error texts are cut to 512
// bytes (an error may quote a payload) and the partitions to what a
// console takes in, those held first.
func (p *Publisher) Report(final bool) Report {
	st := p.state()
	for i := range st.Partitions {
		st.Partitions[i].LastError = cut(st.Partitions[i].LastError, maxErrorText)
		st.Partitions[i].Stuck = cut(st.Partitions[i].Stuck, maxErrorText)
	}
	if len(st.Partitions) > maxReportPartitions {
		held := slices.DeleteFunc(slices.Clone(st.Partitions), func(ps ops.PartitionState) bool { return !ps.Assigned })
		st.Partitions = append(held, slices.DeleteFunc(st.Partitions, func(ps ops.PartitionState) bool { return ps.Assigned })...)
		st.Partitions = st.Partitions[:maxReportPartitions]
	}
	if len(st.Routes) > maxReportRoutes {
		st.Routes = st.Routes[:maxReportRoutes]
	}
	return Report{Version: ReportVersion, App: p.app, Process: p.proc, Time: time.Now().UTC(),
		IntervalMS: p.interval.Milliseconds(), Final: final, Guarantee: p.guarantee, State: st, Errors: p.errs.Entries()}
}

// Run publishes a report at once and every interval until ctx ends. A
// report the topic refuses is logged (once per failure streak) and the
// next one tried at the next tick: reports are state, not messages, and
// the latest one replaces those before.
func (p *Publisher) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	failing := false
	for {
		if err := p.publish(ctx, false); err != nil {
			if !failing && ctx.Err() == nil {
				p.log.Warn("console: report not published; trying again every interval", "interval", p.interval, "error", err)
			}
			failing = true
		} else if failing {
			p.log.Info("console: reports published again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Final publishes the last report, marked final, so that consoles show
// the process stopped rather than stale.
func (p *Publisher) Final(ctx context.Context) error {
	return p.publish(ctx, true)
}

func (p *Publisher) publish(ctx context.Context, final bool) error {
	r := p.Report(final)
	if p.local != nil {
		p.local.Add(r)
	}
	if p.send == nil {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("console: report: %w", err)
	}
	sctx, cancel := context.WithTimeout(ctx, max(p.interval, 5*time.Second))
	defer cancel()
	if err := p.send(sctx, []byte(p.proc.ID), b); err != nil {
		return fmt.Errorf("console: publish report: %w", err)
	}
	return nil
}
