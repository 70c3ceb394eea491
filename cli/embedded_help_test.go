package cli_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/cli"
)

// The help of both commands that start the embedded broker says it has no
// authentication and is for development.
func TestHelp_embeddedBrokerIsForDevelopmentOnly(t *testing.T) {
	for _, command := range []string{"server", "broker"} {
		var out, errb bytes.Buffer
		cmd := cli.New("t", nil)
		cmd.SetOut(&out)
		if code := cli.ExecuteArgs(cmd, []string{command, "--help"}, &errb); code != 0 {
			t.Fatalf("%s --help: exit %d: %s", command, code, errb.String())
		}
		help := strings.Join(strings.Fields(out.String()), " ")
		for _, want := range []string{"for development only", "no authentication", "loopback"} {
			if !strings.Contains(help, want) {
				t.Errorf("%s --help does not say %q", command, want)
			}
		}
	}
}
