package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/spf13/cobra"
)

// ModulePath is this framework's module, required by scaffolded apps.
const ModulePath = "github.com/karafka-actors/karafka-actors"

func (r *runner) installCmd() *cobra.Command {
	var module, replace, name string
	var force bool
	cmd := &cobra.Command{
		Use:   "install [DIR]",
		Short: "Scaffold a new application: main.go with a route, a controller, a responder; a config file",
		Long: `Scaffold a new karafka-actors application in DIR (default: the current directory):

  go.mod        module --module (default: DIR's name), requiring ` + ModulePath + `
  main.go       a route (events_created), a controller, a responder found by naming
                convention, and the CLI (server, flow, routes, status, stop, ...)
  karafka.yaml  the configuration, with the keys you are most likely to change
  README.md     how to run it

With --replace PATH the module is taken from a local checkout (a replace directive).
Then: cd DIR && go mod tidy && go run . server --embedded-broker --config karafka.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			abs, err := filepath.Abs(dir)
			if err != nil {
				return Exit(ExitFailure, err)
			}
			if name == "" {
				name = sanitizeName(filepath.Base(abs))
			}
			if module == "" {
				module = name
			}
			data := scaffoldData{Module: module, Name: name, Framework: ModulePath}
			if replace != "" {
				rp, err := filepath.Abs(replace)
				if err != nil {
					return Exit(ExitFailure, err)
				}
				if _, err := os.Stat(filepath.Join(rp, "go.mod")); err != nil {
					return usageError("--replace %s: no go.mod there", replace)
				}
				data.Replace = rp
			}
			files := map[string]string{"go.mod": goModTmpl, "main.go": mainTmpl, "karafka.yaml": configTmpl, "README.md": readmeTmpl}
			if !force {
				for f := range files {
					if _, err := os.Stat(filepath.Join(abs, f)); err == nil {
						return usageError("%s exists (use --force to overwrite)", filepath.Join(dir, f))
					}
				}
			}
			if err := os.MkdirAll(abs, 0o755); err != nil {
				return Exit(ExitFailure, err)
			}
			for _, f := range []string{"go.mod", "main.go", "karafka.yaml", "README.md"} {
				var buf bytes.Buffer
				if err := template.Must(template.New(f).Parse(files[f])).Execute(&buf, data); err != nil {
					return Exit(ExitFailure, err)
				}
				if err := os.WriteFile(filepath.Join(abs, f), buf.Bytes(), 0o644); err != nil {
					return Exit(ExitFailure, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created %s\n", filepath.Join(dir, f))
			}
			if data.Replace != "" {
				if sum, err := os.ReadFile(filepath.Join(data.Replace, "go.sum")); err == nil {
					if err := os.WriteFile(filepath.Join(abs, "go.sum"), sum, 0o644); err != nil {
						return Exit(ExitFailure, err)
					}
				} else if !errors.Is(err, os.ErrNotExist) {
					return Exit(ExitFailure, err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nnext:\n  cd %s\n  go mod tidy\n  go run . server --embedded-broker --config karafka.yaml\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&module, "module", "", "module path of the new app (default: the directory name)")
	cmd.Flags().StringVar(&name, "name", "", "application name (default: the directory name)")
	cmd.Flags().StringVar(&replace, "replace", "", "use the karafka-actors checkout at PATH (replace directive)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite existing files")
	return cmd
}

var notName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitizeName(s string) string {
	s = strings.Trim(notName.ReplaceAllString(s, "_"), "_")
	if s == "" || s == "." {
		return "karafka_app"
	}
	return s
}

type scaffoldData struct {
	Module, Name, Framework, Replace string
}

const goModTmpl = `module {{.Module}}

go 1.26
{{if .Replace}}
require {{.Framework}} v0.0.0-00010101000000-000000000000

replace {{.Framework}} => {{.Replace}}
{{end}}`

const mainTmpl = `// Command {{.Name}} is a karafka-actors application: events_created is
// consumed by EventsCreatedController, whose responder (found by naming
// convention) answers on events_processed.
package main

import (
	"os"

	karafka "{{.Framework}}"
	"{{.Framework}}/cli"
	"{{.Framework}}/controllers"
	"{{.Framework}}/responders"
	"{{.Framework}}/topology"
)

// Event is the input of events_created.
type Event struct {
	ID   int64  ` + "`json:\"id\"`" + `
	Name string ` + "`json:\"name\"`" + `
}

// EventsCreatedController handles one message of events_created.
type EventsCreatedController struct{}

// Perform decodes the event and hands it to the responder.
func (EventsCreatedController) Perform(ctx *controllers.Context) error {
	var e Event
	if err := ctx.Params.Decode(&e); err != nil {
		return err // malformed JSON: dead-lettered to events_created_dlq at once
	}
	ctx.RespondWith(e)
	return nil
}

// EventsCreatedResponder declares where responses go and sends them.
type EventsCreatedResponder struct{}

// Topics declares events_processed: required, exactly once per message.
func (EventsCreatedResponder) Topics() []responders.Topic {
	return []responders.Topic{responders.Required("events_processed")}
}

// Respond sends the processed event.
func (EventsCreatedResponder) Respond(out *responders.Output, args ...any) error {
	e := args[0].(Event)
	out.RespondTo("events_processed", map[string]any{"event_id": e.ID, "status": "processed"})
	return nil
}

// register declares the routes; the CLI calls it for every command.
func register(app *karafka.App) error {
	if err := app.Registry().Register("EventsCreatedResponder", func() responders.Responder { return EventsCreatedResponder{} }); err != nil {
		return err
	}
	app.Route(topology.Route{
		Topic:      "events_created",
		Controller: func() controllers.Controller { return EventsCreatedController{} },
	})
	return nil
}

func main() {
	os.Exit(cli.Execute(cli.New("{{.Name}}", register)))
}
`

const configTmpl = `# {{.Name}} configuration. Every key: see configs/karafka.yaml in karafka-actors,
# or run: go run . info
# Precedence: this file < environment (KARAFKA_KAFKA_BROKERS=...) < flags (--set key=value).
name: {{.Name}}
kafka:
  brokers: ["127.0.0.1:9092"]
  version: "3.6.0"
consumer:
  session_timeout: 10s
retry:
  attempts: 3
dead_letter:
  enabled: true
  pattern: "%s_dlq"
shutdown_timeout: 30s
log:
  level: info
  format: text
`

const readmeTmpl = `# {{.Name}}

A [karafka-actors](https://{{.Framework}}) application.

    go mod tidy
    go run . flow                                   # events_created => events_processed
    go run . server --embedded-broker=127.0.0.1:9092 --config karafka.yaml
    echo '{"id":1,"name":"hello"}' | go run . produce events_created --brokers 127.0.0.1:9092
    go run . consume events_processed --from-beginning --count 1 --brokers 127.0.0.1:9092

The last three run in three terminals; when port 9092 is taken, use another in all three.
`
