package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/clients"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/topology"
)

// LagRow is one partition of a route in `lag`: its group's committed
// offset, the partition's high watermark and the lag between them.
type LagRow struct {
	Group     string `json:"group"`
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	// Committed is the group's committed offset (the next one it reads);
	// -1: none.
	Committed     int64 `json:"committed"`
	HighWatermark int64 `json:"high_watermark"`
	// Lag is HighWatermark - Committed; with no committed offset, what the
	// group would read first: every message held (start_from_beginning),
	// or none.
	Lag int64 `json:"lag"`
}

// lagFormats are the formats of `lag --format`.
var lagFormats = []string{"text", "json"}

func (r *runner) lagCmd() *cobra.Command {
	var format string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "lag",
		Short: "Print each route's consumer group lag: committed offset, high watermark and lag per partition",
		Long: `Print, for every route, its consumer group's committed offset, the high watermark
and the lag of each partition of its topic (like kafka-consumer-groups --describe),
asked of kafka.brokers. A partition the group never committed (every partition of
a group that never ran) shows committed "-" (-1 in JSON) and, as lag, what the
group would read first: every message the partition holds when the route starts
from the beginning, else 0.

  text  a table (default)
  json  a list of {"group", "topic", "partition", "committed", "high_watermark", "lag"}

Exit status: 0, 1 when Kafka cannot be asked (or a route's topic does not exist),
2 for usage or configuration errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !slices.Contains(lagFormats, format) {
				return usageError("--format %q is not allowed (allowed: %s)", format, strings.Join(lagFormats, ", "))
			}
			s, routes, err := r.resolved(cmd)
			if err != nil {
				return err
			}
			warnKafka(newLogger(s, cmd.ErrOrStderr()), s.Kafka)
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			rows, err := consumerLag(ctx, s.AppConfig().Kafka, routes)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			if format == "json" {
				return writeLagJSON(cmd.OutOrStdout(), rows)
			}
			return writeLagText(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", strings.Join(lagFormats, ", "))
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long")
	return cmd
}

// consumerLag asks the cluster for the lag of every route, in topic order,
// through an admin of the client library kafka.client names.
func consumerLag(ctx context.Context, k kafka.Config, routes []topology.Resolved) ([]LagRow, error) {
	admin, err := clients.NewAdmin(ctx, k)
	if err == nil {
		defer admin.Close()
		var rows []LagRow
		if rows, err = lagOf(ctx, admin, routes); err == nil {
			return rows, nil
		}
	}
	if ctx.Err() != nil && !errors.Is(err, kafka.ErrInvalidConfig) {
		return nil, fmt.Errorf("asking %s for offsets: %w", strings.Join(k.Brokers, ","), ctx.Err())
	}
	return nil, err
}

func lagOf(ctx context.Context, admin client.Admin, routes []topology.Resolved) ([]LagRow, error) {
	var rows []LagRow
	for _, rt := range topology.SortedByTopic(routes) {
		// The admin's errors name the topic (and partition).
		ends, err := admin.ListEndOffsets(ctx, rt.Topic)
		if err != nil {
			return nil, err
		}
		committed, err := admin.FetchGroupOffsets(ctx, rt.Group, rt.Topic)
		if err != nil {
			return nil, err
		}
		var starts client.Offsets
		parts := slices.Sorted(maps.Keys(ends[rt.Topic]))
		for _, p := range parts {
			row := LagRow{Group: rt.Group, Topic: rt.Topic, Partition: p, Committed: -1, HighWatermark: ends[rt.Topic][p]}
			if off, ok := committed.Lookup(rt.Topic, p); ok && off >= 0 {
				row.Committed = off
			}
			switch {
			case row.Committed >= 0:
				row.Lag = max(0, row.HighWatermark-row.Committed)
			case rt.StartFromBeginning:
				if starts == nil {
					if starts, err = admin.ListStartOffsets(ctx, rt.Topic); err != nil {
						return nil, fmt.Errorf("oldest offsets: %w", err)
					}
				}
				row.Lag = max(0, row.HighWatermark-starts[rt.Topic][p])
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func writeLagText(w io.Writer, rows []LagRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tTOPIC\tPARTITION\tCOMMITTED\tHIGH-WATERMARK\tLAG")
	for _, r := range rows {
		committed := "-"
		if r.Committed >= 0 {
			committed = fmt.Sprint(r.Committed)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\t%d\n", r.Group, r.Topic, r.Partition, committed, r.HighWatermark, r.Lag)
	}
	return tw.Flush()
}

func writeLagJSON(w io.Writer, rows []LagRow) error {
	if rows == nil {
		rows = []LagRow{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}
