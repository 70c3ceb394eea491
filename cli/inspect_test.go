package cli_test

import (
	"bytes"
	"strings"
	"testing"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/topology"
)

func oneRoute(app *karafka.App) error {
	app.Route(topology.Route{Topic: "in", Controller: func() controllers.Controller {
		return controllers.Func(func(*controllers.Context) error { return nil })
	}})
	return nil
}

// TestFlow_formatsComeFromOneList: every listed format works, and an
// unknown one is refused naming them all (help, switch and error share the
// list).
func TestFlow_formatsComeFromOneList(t *testing.T) {
	for _, f := range cli.FlowFormats {
		var out, errb bytes.Buffer
		cmd := cli.New("t", oneRoute)
		cmd.SetOut(&out)
		if code := cli.ExecuteArgs(cmd, []string{"flow", "--format", f}, &errb); code != cli.ExitOK {
			t.Errorf("flow --format %s exited %d: %s", f, code, errb.String())
		}
	}
	var errb bytes.Buffer
	cmd := cli.New("t", oneRoute)
	cmd.SetOut(&bytes.Buffer{})
	if code := cli.ExecuteArgs(cmd, []string{"flow", "--format", "svg"}, &errb); code != cli.ExitUsage {
		t.Fatalf("flow --format svg exited %d, want %d", code, cli.ExitUsage)
	}
	for _, f := range cli.FlowFormats {
		if !strings.Contains(errb.String(), f) {
			t.Errorf("the error does not name format %q: %s", f, errb.String())
		}
	}
}

// info and the flow's tree, drawings and JSON name the Kafka client the
// app runs on (kafka.client); the text format stays Karafka's, byte for
// byte, without it.
func TestInspect_namesTheKafkaClient(t *testing.T) {
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := cli.New("t", oneRoute)
		cmd.SetOut(&out)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != cli.ExitOK {
			t.Fatalf("%v exited %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	for _, lib := range []string{"sarama", "franz"} {
		set := "kafka.client=" + lib
		if out := run("info", "--set", set); !strings.Contains(out, "\nkafka client: "+lib+"\n") || !strings.Contains(out, "kafka.client") {
			t.Errorf("info on %s does not name it:\n%s", lib, out)
		}
		for format, want := range map[string]string{
			"tree":    "t (kafka client " + lib + "; root supervisor: ",
			"dot":     `\nkafka client ` + lib + `"`,
			"mermaid": "<br/>kafka client " + lib + `"]`,
			"json":    `"client": "` + lib + `"`,
		} {
			if out := run("flow", "--format", format, "--set", set); !strings.Contains(out, want) {
				t.Errorf("flow --format %s on %s lacks %q:\n%s", format, lib, want, out)
			}
		}
		if out := run("flow", "--set", set); out != "in => (nothing)\n" {
			t.Errorf("flow (Karafka's text) on %s = %q, want it unchanged", lib, out)
		}
	}
}
