package cli_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/cli"
)

func TestLoad_httpAddr(t *testing.T) {
	tests := []struct {
		name    string
		src     cli.Sources
		want    string
		wantErr string
	}{
		{"off by default", cli.Sources{}, "", ""},
		{"loopback from a flag", cli.Sources{Set: []string{"http.addr=127.0.0.1:9100"}}, "127.0.0.1:9100", ""},
		{"every interface when named", cli.Sources{Env: []string{"KARAFKA_HTTP_ADDR=0.0.0.0:9100"}}, "0.0.0.0:9100", ""},
		{"ipv6 loopback", cli.Sources{Set: []string{"http.addr=[::1]:0"}}, "[::1]:0", ""},
		{"no host", cli.Sources{Set: []string{"http.addr=:9100"}}, "", `http.addr (flag): ":9100" names no host: say 127.0.0.1:9100 for loopback`},
		{"no port", cli.Sources{Env: []string{"KARAFKA_HTTP_ADDR=localhost"}}, "", `http.addr (env KARAFKA_HTTP_ADDR): "localhost" is not host:port`},
		{"port out of range", cli.Sources{Set: []string{"http.addr=127.0.0.1:70000"}}, "", `http.addr (flag): "127.0.0.1:70000": port "70000" is not a number from 0 to 65535`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := cli.Load("app", tt.src)
			if tt.wantErr != "" {
				if !errors.Is(err, cli.ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrConfig naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.HTTP.Addr != tt.want {
				t.Fatalf("http.addr = %q, want %q", s.HTTP.Addr, tt.want)
			}
		})
	}
}

func TestServer_badHTTPAddrExits2NamingTheKey(t *testing.T) {
	var out, errb strings.Builder
	cmd := cli.New("t", oneRoute)
	cmd.SetOut(&out)
	if code := cli.ExecuteArgs(cmd, []string{"server", "--http-addr", ":9100"}, &errb); code != cli.ExitUsage {
		t.Fatalf("exit %d, want %d; stderr %s", code, cli.ExitUsage, errb.String())
	}
	if !strings.Contains(errb.String(), "http.addr (flag)") {
		t.Errorf("stderr does not name http.addr: %s", errb.String())
	}
}
