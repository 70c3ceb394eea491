package main_test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// insecureSettings are configurations an operator must hear of at start,
// with what the warning says.
var insecureSettings = []struct {
	name string
	sets []string
	says string
}{
	{"certificates not verified", []string{"kafka.tls.enabled=true", "kafka.tls.insecure_skip_verify=true"},
		"kafka.tls.insecure_skip_verify is true: broker certificates are not verified"},
	{"PLAIN password in clear text", []string{"kafka.sasl.mechanism=PLAIN", "kafka.sasl.username=u", "kafka.sasl.password=s3cret-pw"},
		"kafka.sasl.mechanism is PLAIN without kafka.tls.enabled"},
}

func setFlags(brokers string, sets []string) []string {
	args := []string{"--brokers", brokers, "--set", "kafka.dial_timeout=1s"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return args
}

// Every command that connects to Kafka logs a warning for insecure
// settings once, before connecting (here to a closed port: the command
// fails, the warning is there), and never shows the password.
func TestCommands_warnAboutInsecureKafkaSettings(t *testing.T) {
	commands := [][]string{
		{"produce", "users_create"},
		{"consume", "users_create", "--timeout", "1s"},
		{"topics", "list", "--timeout", "2s"},
		{"lag", "--timeout", "2s"},
	}
	for _, ins := range insecureSettings {
		for _, c := range commands {
			t.Run(ins.name+"/"+c[0], func(t *testing.T) {
				r := run(t, nil, "", append(c, setFlags(freeAddr(t), ins.sets)...)...)
				if n := strings.Count(r.stderr, ins.says); n != 1 {
					t.Fatalf("%s: the warning %q appears %d times, want once: %+v", c[0], ins.says, n, r)
				}
				if !strings.Contains(r.stderr, "level=WARN") {
					t.Errorf("%s: the warning is not logged at warn level: %s", c[0], r.stderr)
				}
				if strings.Contains(r.stderr, "s3cret-pw") {
					t.Errorf("%s: the password is shown: %s", c[0], r.stderr)
				}
			})
		}
	}
	for _, ins := range insecureSettings {
		t.Run(ins.name+"/server", func(t *testing.T) {
			srv := start(t, bin, append([]string{"server"}, setFlags(freeAddr(t), ins.sets)...)...)
			srv.waitFor(t, ins.says, 30*time.Second)
			if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			srv.exit(t, 60*time.Second)
			if n := strings.Count(srv.log(), ins.says); n != 1 {
				t.Fatalf("the warning appears %d times, want once:\n%s", n, srv.log())
			}
		})
	}
}
