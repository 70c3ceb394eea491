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
