package schemas

import (
	"testing"

	"github.com/hamba/avro/v2"
)

// Risky schemas, which decode reads with the bounded generic reader before
// hamba's typed one, are the recursive ones and those with an array whose
// items can take no bytes; no other schema pays for the second read.
func TestRiskyAvro(t *testing.T) {
	for _, c := range []struct {
		name, schema string
		risky        bool
	}{
		{"flat record", `{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":["null","string"]}]}`, false},
		{"array of records", `{"type":"array","items":{"type":"record","name":"I","fields":[{"name":"q","type":"int"}]}}`, false},
		{"a named type used twice", `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"record","name":"U","fields":[{"name":"id","type":"long"}]}},{"name":"b","type":"U"},{"name":"c","type":{"type":"array","items":"U"}}]}`, false},
		{"map of nulls (each key takes a byte)", `{"type":"map","values":"null"}`, false},
		{"array of enums", `{"type":"array","items":{"type":"enum","name":"E","symbols":["A"]}}`, false},
		{"list", `{"type":"record","name":"N","fields":[{"name":"next","type":["null","N"]}]}`, true},
		{"a record holding itself", `{"type":"record","name":"M","fields":[{"name":"m","type":"M"}]}`, true},
		{"mutual recursion", `{"type":"record","name":"A","fields":[{"name":"b","type":{"type":"record","name":"B","fields":[{"name":"a","type":["null","A"]}]}}]}`, true},
		{"recursion through an array", `{"type":"record","name":"T","fields":[{"name":"kids","type":{"type":"array","items":"T"}}]}`, true},
		{"recursion through a map", `{"type":"record","name":"T","fields":[{"name":"kids","type":{"type":"map","values":"T"}}]}`, true},
		{"array of nulls", `{"type":"array","items":"null"}`, true},
		{"array of arrays of nulls", `{"type":"array","items":{"type":"array","items":"null"}}`, true},
		{"array of empty records", `{"type":"array","items":{"type":"record","name":"E","fields":[]}}`, true},
		{"array of records of nulls", `{"type":"array","items":{"type":"record","name":"E","fields":[{"name":"n","type":"null"},{"name":"f","type":{"type":"fixed","name":"Z","size":0}}]}}`, true},
		{"array of empty fixed", `{"type":"array","items":{"type":"fixed","name":"Z","size":0}}`, true},
		{"an array of nulls deep in a map", `{"type":"map","values":{"type":"record","name":"R","fields":[{"name":"t","type":["null",{"type":"array","items":"null"}]}]}}`, true},
	} {
		s, err := avro.Parse(c.schema)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := riskyAvro(s); got != c.risky {
			t.Errorf("%s: riskyAvro = %v, want %v", c.name, got, c.risky)
		}
	}
}
