package cli_test

import (
	"strings"
	"testing"
	"time"

	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
)

// produce's schema flags that cannot work, alone or with others, are
// refused before the registry or a broker is asked.
func TestProduceCommand_refusesBadSchemaFlags(t *testing.T) {
	t.Parallel()
	file := schemaFile(t, "order.avsc", orderAvro)
	txt := schemaFile(t, "order.txt", orderAvro)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "avro"}, "--type is the type of a --schema file: give --schema FILE too"},
		{[]string{"--schema", txt}, "--schema " + txt + ": its extension does not say the schema's type (.avsc is avro, .proto protobuf, .json jsonschema): give --type avro, protobuf or jsonschema"},
		{[]string{"--schema", file, "--type", "xml"}, `--type "xml": want avro, protobuf or jsonschema`},
		{[]string{"--schema", file, "--format", "avro"}, "unknown flag: --format"},
		{[]string{"--schema", ""}, "--schema is empty"},
		{[]string{"--subject", ""}, "--subject is empty"},
		{[]string{"--subject", "s", "--tombstone"}, "--tombstone sends null values, which no schema encodes"},
	} {
		// No broker nor registry listens there.
		code, _, stderr := runCLI(t, "{}\n", append([]string{"produce", "t", "--brokers=127.0.0.1:1", "--registry=http://127.0.0.1:1"}, tc.args...)...)
		if code != cli.ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("produce %q: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, stderr, tc.want)
		}
	}
}

// A line that does not fit the schema stops produce, naming the line and
// why; nothing of it or after it is sent.
func TestProduceCommand_schemaNamesTheLineThatDoesNotFit(t *testing.T) {
	t.Parallel()
	brokers := testkafka.Brokers(t)
	topic := testkafka.Name(t, "schema_bad")
	testkafka.CreateTopics(t, brokers, 1, topic)
	fake := fakeRegistry(t)
	file := schemaFile(t, "order.avsc", orderAvro)
	code, _, stderr := runCLI(t, `{"id":1,"item":"book","note":null}`+"\n\n"+`{"id":"two","item":"pen","note":null}`+"\n"+`{"id":3,"item":"ink","note":null}`+"\n",
		"produce", topic, "--schema", file, "--brokers", strings.Join(brokers, ","), "--registry", fake.URL())
	want := "stdin line 3: subject " + topic + "-value version 1: schema id 1: schemas: does not fit the schema: avro: "
	if code != cli.ExitFailure || !strings.Contains(stderr, want) || !strings.Contains(stderr, "nothing after it was sent, 1 of the 1 message(s) before it were produced") {
		t.Errorf("a line that does not fit: exit %d, stderr %q; want exit 1 and %q", code, stderr, want)
	}
	got := testkafka.Consume(t, brokers, topic, 2, 2*time.Second)
	if len(got) != 1 {
		t.Errorf("consumed %d records, want the 1 before the bad line", len(got))
	} else if !strings.HasPrefix(string(got[0].Value), "\x00\x00\x00\x00\x01") {
		t.Errorf("the record's value %q is not in the wire format of schema id 1", got[0].Value)
	}
	// The same schema in a .json file, with --type avro: found as version 1.
	asJSON := schemaFile(t, "order.json", orderAvro)
	code, _, stderr = runCLI(t, "not json\n", "produce", topic, "--schema", asJSON, "--type", "avro", "--brokers", strings.Join(brokers, ","), "--registry", fake.URL())
	if want := "stdin line 1: subject " + topic + "-value version 1: schema id 1: schemas: does not fit the schema: not JSON"; code != cli.ExitFailure || !strings.Contains(stderr, want) {
		t.Errorf("a line that is not JSON: exit %d, stderr %q; want %q", code, stderr, want)
	}
}
