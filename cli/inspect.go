package cli

import (
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/karafka-actors/karafka-actors/topology"
)

// flowFormats are the formats of `flow --format`, in the order help lists
// them: this list drives the switch, the flag's help and the error text.
var flowFormats = []struct {
	name  string
	write func(w io.Writer, g func() topology.Graph, routes []topology.Resolved) error
}{
	{"text", func(w io.Writer, _ func() topology.Graph, routes []topology.Resolved) error {
		return topology.WriteFlow(w, routes)
	}},
	{"tree", func(w io.Writer, g func() topology.Graph, _ []topology.Resolved) error {
		return topology.WriteTree(w, g())
	}},
	{"dot", func(w io.Writer, g func() topology.Graph, _ []topology.Resolved) error {
		return topology.WriteDOT(w, g())
	}},
	{"mermaid", func(w io.Writer, g func() topology.Graph, _ []topology.Resolved) error {
		return topology.WriteMermaid(w, g())
	}},
	{"json", func(w io.Writer, g func() topology.Graph, _ []topology.Resolved) error {
		return topology.WriteJSON(w, g())
	}},
}

// FlowFormats are the formats of `flow --format`.
var FlowFormats = func() []string {
	names := make([]string, len(flowFormats))
	for i, f := range flowFormats {
		names[i] = f.name
	}
	return names
}()

// WriteFlow writes the routes in format (one of FlowFormats).
func WriteFlow(cmd *cobra.Command, s Settings, routes []topology.Resolved, format string) error {
	g := func() topology.Graph {
		g := topology.NewGraph(s.Name, s.Supervision, routes)
		g.Client = s.Kafka.Client
		return g
	}
	for _, f := range flowFormats {
		if f.name == format {
			return f.write(cmd.OutOrStdout(), g, routes)
		}
	}
	return usageError("--format %q is not allowed (allowed: %s)", format, strings.Join(FlowFormats, ", "))
}

func (r *runner) resolved(cmd *cobra.Command) (Settings, []topology.Resolved, error) {
	s, err := r.settings(cmd)
	if err != nil {
		return s, nil, err
	}
	app, err := r.newApp(s, slog.New(slog.DiscardHandler))
	if err != nil {
		return s, nil, err
	}
	routes, err := app.Routes()
	if err != nil {
		return s, nil, Exit(ExitUsage, err)
	}
	return s, routes, nil
}

func (r *runner) flowCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "flow",
		Short: "Print the application flow (Karafka's `karafka flow`), or its actor tree",
		Long: `Print the application flow.

  text     Karafka 0.5's output, byte for byte (default)
  tree     the actor supervision tree: root supervisor, a listener per topic with its
           group, partition actors with strategy and retry, responder with its topics
  dot      the same graph for Graphviz (dot -Tsvg)
  mermaid  the same graph as a Mermaid flowchart
  json     the same graph as JSON (stable field names, format_version 1)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, routes, err := r.resolved(cmd)
			if err != nil {
				return err
			}
			return WriteFlow(cmd, s, routes, format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", strings.Join(FlowFormats, ", "))
	return cmd
}

func (r *runner) routesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "routes",
		Short: "List the routes: topic, group, controller, responder, parser",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, routes, err := r.resolved(cmd)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "TOPIC\tGROUP\tCONTROLLER\tRESPONDER\tPARSER\tDEAD LETTER\tGUARANTEE")
			for _, rt := range topology.SortedByTopic(routes) {
				resp := rt.ResponderName
				if resp == "" {
					resp = "-"
				}
				ctrl := rt.ControllerName
				if ctrl == "" {
					ctrl = "func"
				}
				dl := rt.DeadLetter
				if dl == "" {
					dl = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", rt.Topic, rt.Group, ctrl, resp, rt.Parser.Name(), dl, rt.Guarantee)
			}
			return tw.Flush()
		},
	}
}

func (r *runner) infoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "info",
		Short: "Print version, app name, brokers, schema registry, Kafka client and the effective configuration (secrets redacted)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := r.settings(cmd)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "version: %s (%s)\n", r.opts.version, runtime.Version())
			fmt.Fprintf(out, "app: %s\n", s.Name)
			fmt.Fprintf(out, "brokers: %s\n", joinOr(s.Kafka.Brokers, "(none)"))
			fmt.Fprintf(out, "schema registry: %s\n", joinOr(s.SchemaRegistry.URLs, "(none; server --embedded-broker serves one in process)"))
			fmt.Fprintf(out, "kafka client: %s\n", s.Kafka.Client)
			fmt.Fprintln(out, "config:")
			tw := tabwriter.NewWriter(out, 0, 4, 1, ' ', 0)
			for _, kv := range s.Values() {
				fmt.Fprintf(tw, "  %s\t= %s\n", kv[0], kv[1])
			}
			return tw.Flush()
		},
	}
}

func joinOr(ss []string, def string) string {
	if len(ss) == 0 {
		return def
	}
	return strings.Join(ss, ",")
}

func (r *runner) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "%s %s (karafka-actors, %s)\n", r.name, r.opts.version, runtime.Version())
		},
	}
}
