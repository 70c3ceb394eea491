package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/schemas"
	"github.com/karafka-actors/karafka-actors/topology"
)

// avroRoute reads Avro through the app's registry: it validates only with
// schema_registry.urls set.
func avroRoute(app *karafka.App) error {
	app.Route(topology.Route{Topic: "in", Parser: app.Schemas().Parser(schemas.Avro), Controller: func() controllers.Controller {
		return controllers.Func(func(*controllers.Context) error { return nil })
	}})
	return nil
}

// errSeen ends the server from its serve hook, once the hook has seen the
// app: nothing needs to run.
var errSeen = errors.New("serve hook: seen")

const userV1 = `{"type":"record","name":"User","fields":[{"name":"id","type":"long"}]}`

// `server --embedded-broker` serves a schema registry and points the app at
// it unless schema_registry.urls is set; --embedded-registry serves it on
// its own, on the address given, whatever schema_registry.urls says. The
// app's registry works against it (an incompatible Avro version is
// refused), and the log says where it listens.
func TestServer_embeddedRegistry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fixed := ln.Addr().String()
	ln.Close()

	tests := []struct {
		name string
		args []string
		// want is the app's registry URL: a pattern, "" for the embedded
		// registry's (as the log says).
		want     string
		embedded bool
	}{
		{"with the embedded broker", []string{"--embedded-broker=127.0.0.1:0"}, "", true},
		{"a registry configured", []string{"--embedded-broker=127.0.0.1:0", "--set", "schema_registry.urls=http://registry.example:8081"}, `^http://registry\.example:8081$`, false},
		{"--embedded-registry over a configured one", []string{"--embedded-registry", "--set", "schema_registry.urls=http://registry.example:8081"}, "", true},
		{"--embedded-registry=ADDR", []string{"--embedded-registry=" + fixed}, "^" + regexp.QuoteMeta("http://"+fixed) + "$", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var urls []string
			var used error
			hook := func(_ *cobra.Command, app *karafka.App) (func(context.Context) error, error) {
				urls = app.Schemas().URLs()
				if tt.embedded {
					used = useRegistry(app.Schemas())
				}
				return nil, errSeen
			}
			var out, logs, errb bytes.Buffer
			cmd := cli.New("t", avroRoute, cli.WithServeHook(hook))
			cmd.SetOut(&out)
			cmd.SetErr(&logs)
			code := cli.ExecuteArgs(cmd, append([]string{"server"}, tt.args...), &errb)
			if code != cli.ExitFailure || !strings.Contains(errb.String(), errSeen.Error()) {
				t.Fatalf("exit %d, want %d from the hook: %s\n%s", code, cli.ExitFailure, errb.String(), logs.String())
			}
			m := regexp.MustCompile(`msg="embedded schema registry listening" url=(\S+)`).FindStringSubmatch(logs.String())
			if (m != nil) != tt.embedded {
				t.Fatalf("log of the embedded registry: %q, want one: %v\n%s", m, tt.embedded, logs.String())
			}
			want := tt.want
			if want == "" {
				want = "^" + regexp.QuoteMeta(m[1]) + "$"
			}
			if len(urls) != 1 || !regexp.MustCompile(want).MatchString(urls[0]) || strings.HasSuffix(urls[0], ":0") {
				t.Errorf("the app's registry is %q, want %s", urls, want)
			}
			if used != nil {
				t.Errorf("the app's registry: %v", used)
			}
		})
	}
}

// useRegistry registers a version and is refused an incompatible one.
func useRegistry(reg *schemas.Registry) error {
	ctx := context.Background()
	if _, err := reg.Register(ctx, "in-value", schemas.Avro, userV1); err != nil {
		return err
	}
	_, err := reg.Register(ctx, "in-value", schemas.Avro, `{"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"email","type":"string"}]}`)
	if !errors.Is(err, schemas.ErrIncompatible) {
		return fmt.Errorf("an incompatible version was not refused: %v", err)
	}
	return nil
}

// Without a registry the route does not validate; a registry that may not
// listen where asked fails the start, naming the address.
func TestServer_embeddedRegistryErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, cli.ExitUsage, "schema_registry.urls"},
		{[]string{"--embedded-registry=0.0.0.0:8081"}, cli.ExitFailure, `address "0.0.0.0:8081": host "0.0.0.0" is not a loopback address`},
	}
	for _, tt := range tests {
		var out, logs, errb bytes.Buffer
		cmd := cli.New("t", avroRoute)
		cmd.SetOut(&out)
		cmd.SetErr(&logs)
		if code := cli.ExecuteArgs(cmd, append([]string{"server"}, tt.args...), &errb); code != tt.code || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("server %v: exit %d, %s; want %d naming %q", tt.args, code, errb.String(), tt.code, tt.want)
		}
	}
}

// info names the schema registry the app uses, or says there is none.
func TestInfo_namesTheSchemaRegistry(t *testing.T) {
	for set, want := range map[string]string{
		"":                                   "\nschema registry: (none; server --embedded-broker serves one in process)\n",
		"schema_registry.urls=http://a:8081": "\nschema registry: http://a:8081\n",
		"schema_registry.urls=http://a:8081,https://b:8081": "\nschema registry: http://a:8081,https://b:8081\n",
	} {
		args := []string{"info"}
		if set != "" {
			args = append(args, "--set", set)
		}
		var out, errb bytes.Buffer
		cmd := cli.New("t", oneRoute)
		cmd.SetOut(&out)
		if code := cli.ExecuteArgs(cmd, args, &errb); code != cli.ExitOK {
			t.Fatalf("%v exited %d: %s", args, code, errb.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("%v lacks %q:\n%s", args, want, out.String())
		}
	}
}
