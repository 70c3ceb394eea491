package karafka

import (
	"fmt"
	"strings"

	"github.com/karafka-actors/karafka-actors/actors"
)

// Errors of the operator actions (PausePartition, ResumePartition,
// SkipRecord). The actions' errors wrap them and name the partition.
var (
	// ErrNotHeld: the partition is not held by this process now (not
	// assigned to it, revoked, being handed back), or the App is not
	// running.
	ErrNotHeld = actors.ErrNotHeld
	// ErrNotFailing: SkipRecord named an offset that is not the record its
	// partition is failing on now; the error says what it is failing on,
	// if anything.
	ErrNotFailing = actors.ErrNotFailing
	// ErrNoReason: SkipRecord was called without a reason.
	ErrNoReason = actors.ErrNoReason
)

// StageOperator is the karafka.stage header (and events.Event.Stage) of the
// dead letter of a record an operator skipped.
const StageOperator = actors.OperatorStage

// PausePartition pauses a partition this process holds, for an operator:
// its fetching stops, and no message of it not started yet is started
// (passed to the controller, or to the partitioner with virtual
// partitions; for a batch route, no next batch begins) until
// ResumePartition. What is under way finishes and is committed: a try that
// runs, the retries of a failing message, a batch begun, responses on
// their way. Messages fetched and not started wait, uncommitted; nothing
// is lost. Backpressure's pauses and resumes (consumer.max_in_flight) do
// not end it.
//
// The pause lives while this process holds the partition: when it is
// handed back (a rebalance, which with eager rebalancing is every
// rebalance of its group, or shutdown), the pause ends, what the partition
// holds drains as usual, and its next owner, this process included,
// starts it unpaused. Pausing a paused partition changes nothing. The
// pause is logged at INFO ("partition paused by an operator") and
// published as events.PartitionPaused with Operator set; State shows it
// (PartitionState.OperatorPaused).
//
// It fails with an error wrapping ErrNotHeld when the partition is not
// held by this process or the App is not running.
func (a *App) PausePartition(topic string, partition int32) error {
	rt, err := a.operating()
	if err == nil {
		err = rt.PausePartition(topic, partition)
	}
	if err != nil {
		return fmt.Errorf("karafka: pause %s/%d: %w", topic, partition, err)
	}
	return nil
}

// ResumePartition ends an operator's pause of a partition this process
// holds (PausePartition): fetching and processing go on where they
// stopped. Resuming a partition not paused changes nothing. It is logged at
// INFO ("partition resumed by an operator") and published as
// events.PartitionResumed with Operator set.
//
// It fails with an error wrapping ErrNotHeld when the partition is not
// held by this process or the App is not running.
func (a *App) ResumePartition(topic string, partition int32) error {
	rt, err := a.operating()
	if err == nil {
		err = rt.ResumePartition(topic, partition)
	}
	if err != nil {
		return fmt.Errorf("karafka: resume %s/%d: %w", topic, partition, err)
	}
	return nil
}

// SkipRecord gives up on the record at offset, which the partition (held
// by this process) is failing on now, for reason: a record whose try failed
// and that waits for its next try (a retry's backoff, the wait of an
// outage, supervision.Outage, or the retries of a record blocked because
// its retries ran out without a dead letter topic). Any wait is cut short:
// the record is finished at once, and the partition goes on with its next
// record.
//
// With a dead letter topic the record is dead-lettered with
// karafka.stage "operator" (StageOperator) and karafka.error "skipped by
// an operator: REASON (last error: ERROR)"; karafka.attempts counts its
// failed tries (outages left out). Without one it is finished unprocessed:
// its offset is committed, and it stays in its topic at that offset. Both
// are logged at WARN with the topic, partition, offset and reason.
// SkipRecord returns once the record is skipped (its dead letter handed to
// the producer: the partition's committed offset passes it once that is
// acknowledged).
//
// Only that record is skipped. A skip asked while a try of the record runs
// waits for the try: if it fails, the record is skipped instead of being
// tried again; if it succeeds there is nothing left to skip, and
// SkipRecord fails with ErrNotFailing; if it still runs after 30 seconds,
// nothing is skipped and SkipRecord says so (ask again). For a batch route, the partition
// fails on the span of its batch that failed last: a record can be skipped
// once the batch's tries have isolated it (split down to that one record);
// while the failing span holds several records (a batch waiting out an
// outage whole, or before its splits), SkipRecord fails with ErrNotFailing,
// which names the span. With virtual partitions, each failing virtual
// partition's record can be skipped. A response whose send the broker keeps
// refusing is not a failing record (it is sent again until acknowledged).
//
// It fails with an error wrapping ErrNoReason when reason is empty,
// ErrNotHeld when the partition is not held by this process or the App is
// not running, and ErrNotFailing when offset is not the record the
// partition is failing on now; that error says what it is failing on
// ("partition 0 is failing on offset 8"), if anything ("partition 0 is not
// failing").
func (a *App) SkipRecord(topic string, partition int32, offset int64, reason string) error {
	rt, err := a.operating()
	if strings.TrimSpace(reason) == "" {
		err = ErrNoReason
	} else if err == nil {
		err = rt.SkipRecord(topic, partition, offset, reason)
	}
	if err != nil {
		return fmt.Errorf("karafka: skip %s/%d@%d: %w", topic, partition, offset, err)
	}
	return nil
}

// operating is the runtime while the App runs.
func (a *App) operating() (*actors.Runtime, error) {
	rt := a.rt.Load()
	if rt == nil || Phase(a.phase.Load()) >= PhaseStopped {
		return nil, fmt.Errorf("%w: the app is not running", ErrNotHeld)
	}
	return rt, nil
}
