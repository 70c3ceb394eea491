package cli

import (
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/karafka-actors/karafka-actors/deadletters"
	"github.com/karafka-actors/karafka-actors/kafka"
)

func (r *runner) replayCmd() *cobra.Command {
	var req deadletters.Request
	cmd := &cobra.Command{
		Use:   "replay DLQ_TOPIC",
		Short: "Send the dead letters of DLQ_TOPIC back to the topics they failed on",
		Long: `Send the dead letters of DLQ_TOPIC (on kafka.brokers) back to the topic and
partition they failed on (their karafka.origin.topic and karafka.origin.partition),
once the cause is fixed: each with its key, its value and its original headers
(input.karafka.* get their names back, the dead letter's karafka.* headers are
dropped), plus karafka.replayed = "DLQ_TOPIC/PARTITION@OFFSET".

--partition N replays one partition of DLQ_TOPIC (default -1: every partition, in
order); --from and --to bound the offsets of each (--to exclusive; default: up to
the end DLQ_TOPIC had when the replay began, so that dead letters written meanwhile
are not replayed). --dry-run prints what would be sent and sends nothing.

One dead letter at a time is sent, and acknowledged (producer.acks) before the
next. Skipped, with the reason: a dead letter cut to fit (karafka.truncated.*
headers: it is not the original record), a marker standing for a dead letter the
cluster refused, and a record that names no origin. Nothing is deleted from
DLQ_TOPIC. An origin topic that does not exist (none is created), a send that
fails or SIGINT/SIGTERM stop the replay: the error says at which dead letter, how
many were replayed before it, and how to resume.

Prints one line per dead letter and a summary:

  replayed orders_dlq/0@3 -> orders/1@57 (was orders/1@12)
  skipped orders_dlq/0@4 (was orders/1@13): cut to fit (karafka.truncated.value): ...
  replayed 1 and skipped 1 of 2 dead letter(s) of orders_dlq (partitions 0)

Exit status: 0; 1 when the replay stopped (or a dry run would), or Kafka cannot be
asked (DLQ_TOPIC does not exist); 2 for usage or configuration errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Topic = args[0]
			if err := checkReplayFlags(req); err != nil {
				return Exit(ExitUsage, err)
			}
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			kc := s.AppConfig().Kafka
			if err := kc.Validate(); err != nil {
				return Exit(ExitUsage, err)
			}
			logger := newLogger(s, cmd.ErrOrStderr())
			warnKafka(logger, kc)
			ctx, cancel := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, syscall.SIGINT)
			defer cancel()
			out := cmd.OutOrStdout()
			res, err := deadletters.Replay(ctx, kc, req,
				deadletters.WithProducerConfig(s.Producer),
				deadletters.WithLogger(logger),
				deadletters.WithProgress(func(o deadletters.Outcome) { writeOutcome(out, req.Topic, o) }))
			if len(res.Ranges) > 0 {
				writeReplaySummary(out, req, res)
			}
			switch {
			case err == nil:
				return nil
			case errors.Is(err, deadletters.ErrInvalidRequest), errors.Is(err, kafka.ErrInvalidConfig):
				return Exit(ExitUsage, err)
			}
			if stop, ok := errors.AsType[*deadletters.StoppedError](err); ok {
				err = fmt.Errorf("%w\n%s", err, resumeHint(r.name, req, stop))
			}
			return Exit(ExitFailure, err)
		},
	}
	f := cmd.Flags()
	f.Int32VarP(&req.Partition, "partition", "p", -1, "replay partition `N` of DLQ_TOPIC only (-1: every partition)")
	f.Int64Var(&req.From, "from", 0, "first `OFFSET` to replay in each partition")
	f.Int64Var(&req.To, "to", -1, "replay up to `OFFSET`, exclusive (-1: the end when the replay began)")
	f.BoolVar(&req.DryRun, "dry-run", false, "print what would be sent; send nothing")
	return cmd
}

// checkReplayFlags says what is wrong with replay's flags, by their names.
func checkReplayFlags(req deadletters.Request) error {
	switch {
	case req.Partition < -1:
		return fmt.Errorf("--partition %d: want a partition number, or -1 for every partition", req.Partition)
	case req.From < 0:
		return fmt.Errorf("--from %d: want an offset, 0 or more", req.From)
	case req.To < -1:
		return fmt.Errorf("--to %d: want an offset, or -1 for the end", req.To)
	case req.To >= 0 && req.To < req.From:
		return fmt.Errorf("--to %d is before --from %d", req.To, req.From)
	}
	return nil
}

// writeOutcome prints one dead letter's outcome on a line.
func writeOutcome(w io.Writer, dlq string, o deadletters.Outcome) {
	origin := escapeField([]byte(o.OriginTopic))
	if o.OriginPartition >= 0 {
		origin += fmt.Sprintf("/%d", o.OriginPartition)
	}
	was := ""
	if o.OriginTopic != "" {
		was = " (was " + origin
		if o.OriginOffset >= 0 {
			was += fmt.Sprintf("@%d", o.OriginOffset)
		}
		was += ")"
	}
	at := fmt.Sprintf("%s/%d@%d", dlq, o.Partition, o.Offset)
	switch o.Status {
	case deadletters.StatusReplayed:
		fmt.Fprintf(w, "replayed %s -> %s@%d%s\n", at, origin, o.SentOffset, was)
	case deadletters.StatusWouldReplay:
		fmt.Fprintf(w, "would replay %s -> %s%s\n", at, origin, was)
	case deadletters.StatusFailed:
		fmt.Fprintf(w, "failed %s -> %s%s: %s\n", at, origin, was, escapeField([]byte(o.Error)))
	default:
		fmt.Fprintf(w, "%s %s%s: %s\n", o.Status, at, was, escapeField([]byte(o.Error)))
	}
}

// writeReplaySummary prints what a replay did, in one line.
func writeReplaySummary(w io.Writer, req deadletters.Request, res deadletters.Result) {
	parts := make([]string, len(res.Ranges))
	for i, rg := range res.Ranges {
		parts[i] = fmt.Sprint(rg.Partition)
	}
	read := fmt.Sprintf("%d dead letter(s) of %s (partitions %s)", len(res.Records), req.Topic, strings.Join(parts, ", "))
	if req.DryRun {
		fmt.Fprintf(w, "dry run: would replay %d and skip %d of %s; nothing was sent\n", res.WouldReplay, res.Skipped, read)
		return
	}
	fmt.Fprintf(w, "replayed %d and skipped %d of %s\n", res.Replayed, res.Skipped, read)
}

// resumeHint is the command that picks a stopped replay up where it
// stopped.
func resumeHint(name string, req deadletters.Request, stop *deadletters.StoppedError) string {
	tail := ""
	if req.To >= 0 {
		tail = fmt.Sprintf(" --to %d", req.To)
	}
	if req.DryRun {
		tail += " --dry-run"
	}
	hint := fmt.Sprintf("to resume: %s replay %s --partition %d --from %d%s", name, req.Topic, stop.Partition, stop.Offset, tail)
	if len(stop.NotStarted) > 0 {
		from := ""
		if req.From > 0 {
			from = fmt.Sprintf(" --from %d", req.From)
		}
		parts := make([]string, len(stop.NotStarted))
		for i, p := range stop.NotStarted {
			parts[i] = fmt.Sprint(p)
		}
		hint += fmt.Sprintf("\nthen, for each of partitions %s: %s replay %s --partition N%s%s", strings.Join(parts, ", "), name, req.Topic, from, tail)
	}
	return hint
}
