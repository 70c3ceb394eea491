package cli_test

import (
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// Lines produced with --schema read back with consume --schema as JSON;
// --subject alone encodes with the subject's latest version; a record not
// in the wire format, or naming an id the registry lacks, is printed
// marked with the reason on stderr, and consume goes on.
func TestProduceConsume_schemaRoundTrip(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "schema_orders")
	testkafka.CreateTopics(t, brokers, 1, topic)
	fake := fakeRegistry(t)
	common := []string{"--brokers", strings.Join(brokers, ","), "--registry", fake.URL()}
	file := schemaFile(t, "order.avsc", orderAvro)

	code, _, stderr := runCLI(t, `{"id":1,"item":"book","note":null}`+"\n"+`{"id":2,"item":"pen\u202e","note":"gift"}`+"\n",
		append([]string{"produce", topic, "--schema", file}, common...)...)
	if want := "produced 2 message(s) to " + topic + ", values encoded with schema id 1 (subject " + topic + "-value version 1)"; code != 0 || !strings.Contains(stderr, want) {
		t.Fatalf("produce --schema: exit %d, stderr %q; want %q", code, stderr, want)
	}
	code, _, stderr = runCLI(t, `{"id":3,"item":"ink","note":null}`+"\n", append([]string{"produce", topic, "--subject", topic + "-value"}, common...)...)
	if code != 0 || !strings.Contains(stderr, "produced 1 message(s)") {
		t.Fatalf("produce --subject: exit %d, stderr %q", code, stderr)
	}
	testkafka.Produce(t, brokers, topic,
		testkafka.Record{Value: "not avro"},
		testkafka.Record{Value: "\x00\x00\x00\x00\x63\x02"}, // schema id 99
	)
	code, _, stderr = runCLI(t, `{"id":4,"item":"cup","note":null}`+"\n", append([]string{"produce", topic, "--subject", topic + "-value"}, common...)...)
	if code != 0 {
		t.Fatalf("produce --subject: exit %d, stderr %q", code, stderr)
	}

	code, stdout, stderr := runCLI(t, "", append([]string{"consume", topic, "--schema", "--from-beginning", "--count", "6", "--timeout", "30s"}, common...)...)
	want := `{"id":1,"item":"book","note":null}` + "\n" +
		`{"id":2,"item":"pen\u202e","note":"gift"}` + "\n" +
		`{"id":3,"item":"ink","note":null}` + "\n" +
		"!undecoded not avro\n" +
		`!undecoded "\x00\x00\x00\x00c\x02"` + "\n" +
		`{"id":4,"item":"cup","note":null}` + "\n"
	if code != 0 || stdout != want {
		t.Fatalf("consume --schema: exit %d\n%s\nwant:\n%s\nstderr: %s", code, stdout, want, stderr)
	}
	for _, w := range []string{
		"partition 0 offset 3: value not decoded: schemas: not in the schema registry wire format: magic byte 0x6e",
		"partition 0 offset 4: value not decoded: schemas: schema id not found in the registry: schema id 99",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("consume --schema's stderr does not say %q:\n%s", w, stderr)
		}
	}

	// A registry that cannot be reached stops consume: exit 1 naming it.
	down := fakeRegistry(t)
	downURL := down.URL()
	down.Close()
	code, stdout, stderr = runCLI(t, "", "consume", topic, "--schema", "--from-beginning", "--count", "6", "--timeout", "30s",
		"--brokers", strings.Join(brokers, ","), "--registry", downURL, "--set", "schema_registry.retries=0")
	if want := "schema registry " + downURL + " (schema_registry.urls) unavailable, tried 1 time(s) with a 3s timeout: partition 0 offset 0: "; code != cli.ExitFailure || stdout != "" || !strings.Contains(stderr, want) {
		t.Errorf("consume --schema, registry down: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}
}

// consume --schema takes no file: one given is refused, saying why.
func TestConsumeCommand_schemaTakesNoFile(t *testing.T) {
	t.Parallel()
	code, _, stderr := runCLI(t, "", "consume", "t", "order.avsc", "--schema", "--brokers=127.0.0.1:1", "--registry=http://127.0.0.1:1")
	if want := "accepts 1 arg(s), received 2: --schema takes no file (order.avsc): each value is decoded with the schema its id names"; code != cli.ExitUsage || !strings.Contains(stderr, want) {
		t.Errorf("consume --schema FILE: exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
}

// JSON Schema values round trip as Avro ones do: produce --schema checks
// each line against the schema (a line that does not validate stops it,
// named), consume --schema prints them back.
func TestProduceConsume_jsonSchemaRoundTrip(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "schema_users")
	testkafka.CreateTopics(t, brokers, 1, topic)
	fake := fakeRegistry(t)
	common := []string{"--brokers", strings.Join(brokers, ","), "--registry", fake.URL()}
	file := schemaFile(t, "user.json", userJSONSchema)

	code, _, stderr := runCLI(t, `{"id": 1, "email": "ada@example.com"}`+"\n"+`{"id":2}`+"\n"+`{"id":3,"name":"x"}`+"\n",
		append([]string{"produce", topic, "--schema", file}, common...)...)
	if want := "stdin line 3: subject " + topic + "-value version 1: schema id 1: schemas: does not fit the schema: jsonschema: "; code != cli.ExitFailure || !strings.Contains(stderr, want) ||
		!strings.Contains(stderr, "2 of the 2 message(s) before it were produced") {
		t.Fatalf("produce --schema: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	code, stdout, stderr := runCLI(t, "", append([]string{"consume", topic, "--schema", "--from-beginning", "--count", "2", "--timeout", "30s"}, common...)...)
	if want := `{"email":"ada@example.com","id":1}` + "\n" + `{"id":2}` + "\n"; code != 0 || stdout != want {
		t.Fatalf("consume --schema: exit %d, stdout %q, want %q; stderr %q", code, stdout, want, stderr)
	}
}

// Protobuf values round trip too: each line is read as protojson into the
// schema's first message, and printed back in the generic form, defaults
// included; a line with a field the message lacks stops produce, named.
func TestProduceConsume_protobufRoundTrip(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "schema_proto")
	testkafka.CreateTopics(t, brokers, 1, topic)
	fake := fakeRegistry(t)
	common := []string{"--brokers", strings.Join(brokers, ","), "--registry", fake.URL()}
	file := schemaFile(t, "order.proto", orderProto)

	code, _, stderr := runCLI(t, `{"id":1,"item":"book","tags":["new"]}`+"\n"+`{"id":"2"}`+"\n"+`{"id":3,"colour":"red"}`+"\n",
		append([]string{"produce", topic, "--schema", file}, common...)...)
	// protobuf-go puts a space or, at random, a no-break space after
	// "proto:" (so that nobody matches its messages exactly): read both
	// as a space.
	stderr = strings.ReplaceAll(stderr, "\u00a0", " ")
	if want := "stdin line 3: subject " + topic + `-value version 1: schema id 1: schemas: does not fit the schema: protobuf: shop.Order: proto: (line 1:9): unknown field "colour"`; code != cli.ExitFailure ||
		!strings.Contains(stderr, want) || !strings.Contains(stderr, "2 of the 2 message(s) before it were produced") {
		t.Fatalf("produce --schema: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	code, stdout, stderr := runCLI(t, "", append([]string{"consume", topic, "--schema", "--from-beginning", "--count", "2", "--timeout", "30s"}, common...)...)
	if want := `{"id":1,"item":"book","tags":["new"]}` + "\n" + `{"id":2,"item":"","tags":[]}` + "\n"; code != 0 || stdout != want {
		t.Fatalf("consume --schema: exit %d, stdout %q, want %q; stderr %q", code, stdout, want, stderr)
	}
}
