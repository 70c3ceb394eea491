package params

import (
	"errors"
	"strings"
	"testing"
)

// countingParser is JSON that counts Parse calls and can fail Check with an
// error that does not wrap ErrParse.
type countingParser struct {
	parses   int
	checkErr error
}

func (c *countingParser) Name() string { return "counting" }
func (c *countingParser) Check(raw []byte) error {
	return c.checkErr
}
func (c *countingParser) Parse(raw []byte) (any, error) {
	c.parses++
	return JSON.Parse(raw)
}
func (c *countingParser) Decode(raw []byte, v any) error { return JSON.Decode(raw, v) }

func TestParams_new(t *testing.T) {
	md := Metadata{Topic: "orders", Partition: 2, Offset: 41}
	tests := []struct {
		name    string
		raw     string
		parser  Parser
		wantErr []string
	}{
		{name: "valid json", raw: `{"a":1}`, parser: JSON},
		{name: "nil parser is json", raw: `{"a":1}`},
		{name: "raw accepts anything", raw: `\x00garbage`, parser: Raw},
		{name: "invalid json names record and parser", raw: `{"a":x}`, parser: JSON,
			wantErr: []string{`topic "orders"`, "partition 2", "offset 41", `parser "json"`, "invalid JSON at byte 6"}},
		{name: "nil parser rejects invalid json", raw: `nope`,
			wantErr: []string{`parser "json"`}},
		{name: "foreign check error still wraps ErrParse", raw: `{}`,
			parser:  &countingParser{checkErr: errors.New("too big")},
			wantErr: []string{`parser "counting"`, "too big", "offset 41"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(md, []byte(tt.raw), tt.parser)
			if tt.wantErr == nil {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v", p, err)
				}
				if string(p.Raw()) != tt.raw || p.Metadata().Offset != 41 {
					t.Fatalf("Raw = %q, Metadata = %+v", p.Raw(), p.Metadata())
				}
				return
			}
			if p != nil || !errors.Is(err, ErrParse) {
				t.Fatalf("New = %v, %v; want nil and ErrParse", p, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "params: ") || strings.Count(msg, "params:") != 1 {
				t.Errorf("error %q: want exactly one package prefix", msg)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %s", msg, s)
				}
			}
		})
	}
}

func TestParams_metadataIsNotCopied(t *testing.T) {
	p, err := New(Metadata{Topic: "t"}, []byte(`1`), JSON)
	if err != nil {
		t.Fatal(err)
	}
	first, second := p.Metadata(), p.Metadata()
	if first != second {
		t.Fatal("Metadata returns a different pointer each call")
	}
}

func TestParams_valueParsesOnce(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		wantErr bool
	}{
		{name: "valid", raw: `{"a":1}`},
		{name: "invalid is cached too", raw: `{`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := &countingParser{}
			p, err := New(Metadata{}, []byte(tt.raw), cp)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				_, err = p.Value()
				p.Get("a")
			}
			if cp.parses != 1 {
				t.Fatalf("Parse ran %d times, want 1", cp.parses)
			}
			if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrParse)) {
				t.Fatalf("Value error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestParams_decode(t *testing.T) {
	type order struct {
		ID    int      `json:"id"`
		Items []string `json:"items"`
	}
	cp := &countingParser{}
	p, err := New(Metadata{}, []byte(`{"id":9,"items":["a","b"]}`), cp)
	if err != nil {
		t.Fatal(err)
	}
	var o order
	if err := p.Decode(&o); err != nil || o.ID != 9 || len(o.Items) != 2 {
		t.Fatalf("Decode = %+v, %v", o, err)
	}
	if cp.parses != 0 {
		t.Fatalf("Decode went through Parse %d times; want direct decoding", cp.parses)
	}
	var wrong struct{ ID string }
	if err := p.Decode(&wrong); !errors.Is(err, ErrParse) {
		t.Fatalf("Decode into wrong type = %v; want ErrParse", err)
	}
}

func TestParams_Lazy(t *testing.T) {
	md := Metadata{Topic: "t", Partition: 1, Offset: 9}
	t.Run("malformed payload is reported by Valid, naming the record", func(t *testing.T) {
		p := Lazy(md, []byte(`{"id": `), JSON)
		var v struct{ ID int }
		if err := p.Decode(&v); err == nil {
			t.Fatal("Decode of malformed JSON succeeded")
		}
		err := p.Valid()
		if !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), `topic "t" partition 1 offset 9`) {
			t.Fatalf("Valid = %v", err)
		}
	})
	t.Run("a successful Decode proves it well formed", func(t *testing.T) {
		p := Lazy(md, []byte(`{"id": 1}`), JSON)
		var v struct{ ID int }
		if err := p.Decode(&v); err != nil || v.ID != 1 {
			t.Fatalf("Decode: %v %+v", err, v)
		}
		if err := p.Valid(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a failed typed Decode of well formed JSON is not a parse failure", func(t *testing.T) {
		p := Lazy(md, []byte(`{"id": "x"}`), JSON)
		var v struct{ ID int }
		if err := p.Decode(&v); err == nil {
			t.Fatal("type mismatch decoded")
		}
		if err := p.Valid(); err != nil {
			t.Fatalf("Valid = %v for well formed JSON", err)
		}
	})
	t.Run("never read: Valid checks", func(t *testing.T) {
		if err := Lazy(md, []byte(`nope`), nil).Valid(); !errors.Is(err, ErrParse) {
			t.Fatalf("Valid = %v", err)
		}
	})
}

func TestParams_LazyAt(t *testing.T) {
	md := Metadata{Topic: "t", Partition: 2, Offset: 5}
	var dst Params
	// A used Params is overwritten: no parse state of the old record leaks.
	if _, err := LazyAt(&dst, md, []byte(`{"id": 1}`), nil).Value(); err != nil {
		t.Fatal(err)
	}
	p := LazyAt(&dst, md, []byte(`{"id": `), nil)
	if p != &dst {
		t.Fatal("LazyAt did not return dst")
	}
	if _, err := p.Value(); !errors.Is(err, ErrParse) {
		t.Fatalf("Value = %v, want the new payload's parse error", err)
	}
	if err := p.Valid(); !errors.Is(err, ErrParse) {
		t.Fatalf("Valid = %v", err)
	}
	if p.Metadata().Offset != 5 || p.parser != JSON {
		t.Fatalf("metadata %+v parser %v", p.Metadata(), p.parser)
	}
}

// rejecting is JSON whose Check also rejects payloads mentioning "reject",
// which a successful Decode does not prove.
type rejecting struct{ Parser }

func (rejecting) Name() string { return "rejecting" }
func (r rejecting) Check(raw []byte) error {
	if strings.Contains(string(raw), "reject") {
		return errors.New("rejected")
	}
	return r.Parser.Check(raw)
}

func TestParams_LazyChecksAtIngestUnlessDecodeProvesIt(t *testing.T) {
	md := Metadata{Topic: "t", Partition: 3, Offset: 7}
	rejected := []byte(`{"id": 1, "reject": true}`)
	t.Run("a check Decode does not prove runs at ingest", func(t *testing.T) {
		p := Lazy(md, rejected, rejecting{JSON})
		if err := p.Rejected(); !errors.Is(err, ErrParse) || !strings.Contains(err.Error(), `offset 7: parser "rejecting": rejected`) {
			t.Fatalf("Rejected = %v, want the check's error naming the record", err)
		}
		var v struct{ ID int }
		if err := p.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Value(); err != nil {
			t.Fatal(err)
		}
		if err := p.Valid(); !errors.Is(err, ErrParse) {
			t.Fatalf("Valid = %v after a successful Decode, want the check's rejection", err)
		}
	})
	t.Run("a passing check is not rejected", func(t *testing.T) {
		p := Lazy(md, []byte(`{"id": 1}`), rejecting{JSON})
		if err := p.Rejected(); err != nil {
			t.Fatal(err)
		}
		if err := p.Valid(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("JSON defers its check to Valid", func(t *testing.T) {
		p := Lazy(md, []byte(`{"id": `), JSON)
		if err := p.Rejected(); err != nil {
			t.Fatalf("Rejected = %v: JSON was scanned at ingest", err)
		}
		if err := p.Valid(); !errors.Is(err, ErrParse) {
			t.Fatalf("Valid = %v", err)
		}
		if err := p.Rejected(); !errors.Is(err, ErrParse) {
			t.Fatalf("Rejected after Valid = %v", err)
		}
	})
}
