package responders

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var errFuzzRespond = errors.New("respond failed")

// FuzzDeliver runs a responder with fuzzed declarations and an arbitrary
// sequence of RespondTo calls, and checks Deliver against a model of the
// rules in its documentation: nothing is returned unless the response is
// valid; otherwise every problem is a *TopicError naming its topic, matching
// exactly one sentinel with errors.Is, and the problems are exactly those the
// model expects (each unregistered topic once, each overused single-use topic
// once, each unused required topic, each value that cannot be encoded).
//
// Topics come from a pool: a, b, c, the fuzzed name, and x, which is never
// declared (unless the fuzzed name is "x"). Each declaration byte picks a
// topic (low 2 bits), required (bit 2) and multiple usage (bit 3); a topic
// already declared is skipped. Each call byte picks a topic (b%5), the kind
// of data (b/5%4: []byte, string, a JSON object, a channel that cannot be
// encoded) and whether it sets a key (b/20%2).
func FuzzDeliver(f *testing.F) {
	f.Add([]byte{0b0100}, []byte{0}, "", false)                           // required a used once
	f.Add([]byte{0b0100}, []byte{}, "", false)                            // required a unused
	f.Add([]byte{0b0000}, []byte{0, 5}, "", false)                        // single-use a used twice
	f.Add([]byte{0b1100, 1}, []byte{0, 5, 10, 1}, "", false)              // multiple a, optional b
	f.Add([]byte{0b0100}, []byte{4, 4, 0}, "", false)                     // x twice: reported once
	f.Add([]byte{0b0100}, []byte{15}, "", false)                          // channel: cannot encode
	f.Add([]byte{0b0111}, []byte{3, 4}, "x", false)                       // the fuzzed name is x
	f.Add([]byte{0b0111, 0b0100}, []byte{3}, "a", false)                  // the fuzzed name is a, declared twice
	f.Add([]byte{0b0111}, []byte{3}, "a \"quoted\"\n", false)             // a name that needs quoting
	f.Add([]byte{0b0100, 0b0101, 0b0110}, []byte{}, "", false)            // every required topic unused
	f.Add([]byte{0b0100}, []byte{0}, "", true)                            // Respond fails
	f.Add([]byte{}, []byte{0, 1, 2, 3, 4, 15, 16, 17, 18, 19}, "", false) // nothing declared
	f.Fuzz(func(t *testing.T, decl, calls []byte, name string, fail bool) {
		if len(decl) > 8 || len(calls) > 64 {
			t.Skip()
		}
		pool := [...]string{"a", "b", "c", name, "x"}
		var topics []Topic
		for _, b := range decl {
			n := pool[b&3]
			if slices.ContainsFunc(topics, func(t Topic) bool { return t.Name == n }) {
				continue
			}
			topics = append(topics, Topic{Name: n, Required: b&4 != 0, MultipleUsage: b&8 != 0})
		}
		type call struct {
			topic string
			data  any
			key   string
			want  []byte // the encoded value; nil when it cannot be encoded
		}
		var cs []call
		for i, b := range calls {
			c := call{topic: pool[b%5]}
			switch b / 5 % 4 {
			case 0:
				c.data = []byte{b}
				c.want = []byte{b}
			case 1:
				c.data = strconv.Itoa(i)
				c.want = []byte(strconv.Itoa(i))
			case 2:
				c.data = map[string]int{"n": i}
				c.want = []byte(fmt.Sprintf(`{"n":%d}`, i))
			case 3:
				c.data = make(chan int)
			}
			if b/20%2 == 1 {
				c.key = "k" + strconv.Itoa(i)
			}
			cs = append(cs, c)
		}

		r := Func(topics, func(out *Output, _ ...any) error {
			for _, c := range cs {
				if c.key != "" {
					out.RespondTo(c.topic, c.data, Key(c.key))
				} else {
					out.RespondTo(c.topic, c.data)
				}
			}
			if fail {
				return errFuzzRespond
			}
			return nil
		})
		msgs, err := Deliver(r)

		if fail {
			if msgs != nil || !errors.Is(err, errFuzzRespond) || !strings.HasPrefix(err.Error(), "responders: respond: ") {
				t.Fatalf("Deliver with a failing Respond = %v, %v", msgs, err)
			}
			return
		}

		// The model: every problem as "topic\x00sentinel".
		var want []string
		problem := func(topic string, sentinel error) {
			want = append(want, topic+"\x00"+sentinel.Error())
		}
		count := map[string]int{}
		for _, c := range cs {
			if c.want == nil {
				problem(c.topic, ErrEncode)
			}
			declared := slices.ContainsFunc(topics, func(t Topic) bool { return t.Name == c.topic })
			if !declared && count[c.topic] == 0 {
				problem(c.topic, ErrUnregisteredTopic)
			}
			count[c.topic]++
		}
		for _, tp := range topics {
			switch {
			case count[tp.Name] > 1 && !tp.MultipleUsage:
				problem(tp.Name, ErrMultipleUsage)
			case count[tp.Name] == 0 && tp.Required:
				problem(tp.Name, ErrRequiredTopicUnused)
			}
		}

		if len(want) == 0 {
			if err != nil {
				t.Fatalf("Deliver(%+v, %d calls) = %v; the model sees no problem", topics, len(cs), err)
			}
			if len(msgs) != len(cs) {
				t.Fatalf("Deliver returned %d messages for %d calls", len(msgs), len(cs))
			}
			for i, m := range msgs {
				c := cs[i]
				if m.Topic != c.topic || !bytes.Equal(m.Value, c.want) || string(m.Key) != c.key {
					t.Fatalf("message %d = %q %q key %q; want %q %q key %q", i, m.Topic, m.Value, m.Key, c.topic, c.want, c.key)
				}
			}
			return
		}

		if msgs != nil || err == nil {
			t.Fatalf("Deliver(%+v) = %d messages, %v; the model expects %q", topics, len(msgs), err, want)
		}
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Fatalf("Deliver error %v (%T) is not a joined list of problems", err, err)
		}
		sentinels := []error{ErrEncode, ErrUnregisteredTopic, ErrMultipleUsage, ErrRequiredTopicUnused}
		var got []string
		for _, e := range joined.Unwrap() {
			var te *TopicError
			if !errors.As(e, &te) {
				t.Fatalf("problem %v (%T) is not a *TopicError", e, e)
			}
			var matched []error
			for _, s := range sentinels {
				if errors.Is(e, s) {
					matched = append(matched, s)
				}
			}
			if len(matched) != 1 {
				t.Fatalf("problem %q matches %d sentinels: %v", e, len(matched), matched)
			}
			if !strings.HasPrefix(e.Error(), "responders: topic "+strconv.Quote(te.Topic)+": ") {
				t.Fatalf("problem %q does not start by naming topic %q", e, te.Topic)
			}
			if matched[0] == ErrMultipleUsage && !strings.Contains(e.Error(), fmt.Sprintf("used %d times", count[te.Topic])) {
				t.Fatalf("problem %q does not say the topic was used %d times", e, count[te.Topic])
			}
			got = append(got, te.Topic+"\x00"+matched[0].Error())
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("Deliver(%+v) problems:\n got  %q\n want %q\nerror: %v", topics, got, want, err)
		}
	})
}
