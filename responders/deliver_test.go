package responders

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/karafka-actors/karafka-actors/producer"
)

type send struct {
	topic string
	data  any
	opts  []Option
}

func sending(sends ...send) func(*Output, ...any) error {
	return func(out *Output, _ ...any) error {
		for _, s := range sends {
			out.RespondTo(s.topic, s.data, s.opts...)
		}
		return nil
	}
}

func TestDeliver_validation(t *testing.T) {
	tests := []struct {
		name      string
		topics    []Topic
		sends     []send
		wantTopic []string // topics of the delivered messages, in order
		wantIs    []error
		wantText  []string
	}{
		{name: "required used once", topics: []Topic{Required("a")},
			sends: []send{{topic: "a", data: "x"}}, wantTopic: []string{"a"}},
		{name: "optional unused is fine", topics: []Topic{Required("a"), Optional("b")},
			sends: []send{{topic: "a", data: "x"}}, wantTopic: []string{"a"}},
		{name: "multiple usage when declared", topics: []Topic{Required("a").Multiple(), Optional("b").Multiple()},
			sends:     []send{{topic: "a", data: "1"}, {topic: "b", data: "2"}, {topic: "a", data: "3"}},
			wantTopic: []string{"a", "b", "a"}},
		{name: "nothing declared, nothing sent", topics: nil, wantTopic: nil},
		{name: "unregistered topic", topics: []Topic{Optional("a"), Optional("b")},
			sends:  []send{{topic: "a", data: "1"}, {topic: "x", data: "2"}, {topic: "x", data: "3"}},
			wantIs: []error{ErrUnregisteredTopic}, wantText: []string{`responders: topic "x": unregistered topic (declared: a, b)`}},
		{name: "unregistered with nothing declared", topics: nil,
			sends:  []send{{topic: "x", data: "1"}},
			wantIs: []error{ErrUnregisteredTopic}, wantText: []string{`topic "x": unregistered topic (declared: none)`}},
		{name: "multiple usage of single-use topic", topics: []Topic{Required("a")},
			sends:  []send{{topic: "a", data: "1"}, {topic: "a", data: "2"}, {topic: "a", data: "3"}},
			wantIs: []error{ErrMultipleUsage}, wantText: []string{`topic "a": multiple usage of a single-use topic: used 3 times`}},
		{name: "required unused", topics: []Topic{Required("a"), Optional("b")},
			sends:  []send{{topic: "b", data: "1"}},
			wantIs: []error{ErrRequiredTopicUnused}, wantText: []string{`topic "a": required topic not used`}},
		{name: "encode failure", topics: []Topic{Required("a")},
			sends:  []send{{topic: "a", data: make(chan int)}},
			wantIs: []error{ErrEncode}, wantText: []string{`topic "a": cannot encode data as JSON`, "chan int"}},
		{name: "every problem at once", topics: []Topic{Required("a"), Optional("b"), Required("c")},
			sends:  []send{{topic: "x", data: "1"}, {topic: "b", data: "1"}, {topic: "b", data: func() {}}},
			wantIs: []error{ErrUnregisteredTopic, ErrMultipleUsage, ErrRequiredTopicUnused, ErrEncode},
			wantText: []string{`topic "x"`, `topic "b": multiple usage`, `topic "a": required`, `topic "c": required`,
				`topic "b": cannot encode`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Deliver(Func(tt.topics, sending(tt.sends...)))
			if tt.wantIs == nil {
				if err != nil {
					t.Fatalf("Deliver error = %v", err)
				}
				var got []string
				for _, m := range msgs {
					got = append(got, m.Topic)
				}
				if !reflect.DeepEqual(got, tt.wantTopic) {
					t.Fatalf("delivered topics %v, want %v", got, tt.wantTopic)
				}
				return
			}
			if msgs != nil {
				t.Fatalf("invalid response delivered %d messages", len(msgs))
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("error %v is not %v", err, target)
				}
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
			var te *TopicError
			if !errors.As(err, &te) || te.Topic == "" {
				t.Errorf("error %v carries no *TopicError naming a topic", err)
			}
			if n := strings.Count(err.Error(), "unregistered"); n > 1 {
				t.Errorf("unregistered topic reported %d times: %q", n, err)
			}
		})
	}
}

func TestDeliver_respondError(t *testing.T) {
	boom := errors.New("boom")
	msgs, err := Deliver(Func([]Topic{Required("a")}, func(out *Output, _ ...any) error {
		out.RespondTo("a", "x")
		return boom
	}))
	if msgs != nil || !errors.Is(err, boom) || err.Error() != "responders: respond: boom" {
		t.Fatalf("Deliver = %v, %v", msgs, err)
	}
}

func TestDeliver_passesArgs(t *testing.T) {
	var got []any
	_, err := Deliver(Func(nil, func(_ *Output, args ...any) error {
		got = args
		return nil
	}), 1, "two")
	if err != nil || !reflect.DeepEqual(got, []any{1, "two"}) {
		t.Fatalf("args = %v, err = %v", got, err)
	}
}

func TestDeliver_doesNotRecover(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("panic in Respond was swallowed")
		}
	}()
	_, _ = Deliver(Func(nil, func(*Output, ...any) error { panic("controller bug") }))
}

func TestOutput_respondTo(t *testing.T) {
	type user struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}
	tests := []struct {
		name string
		data any
		opts []Option
		want producer.Message
	}{
		{name: "bytes as is", data: []byte(`not json`),
			want: producer.Message{Topic: "t", Value: []byte(`not json`)}},
		{name: "string as is", data: `"quoted"`,
			want: producer.Message{Topic: "t", Value: []byte(`"quoted"`)}},
		{name: "struct as json", data: user{ID: 1, Name: "ann"},
			want: producer.Message{Topic: "t", Value: []byte(`{"id":1,"name":"ann"}`)}},
		{name: "map as json", data: map[string]int{"n": 2},
			want: producer.Message{Topic: "t", Value: []byte(`{"n":2}`)}},
		{name: "number as json", data: 7,
			want: producer.Message{Topic: "t", Value: []byte(`7`)}},
		{name: "key", data: "v", opts: []Option{Key("k1")},
			want: producer.Message{Topic: "t", Value: []byte("v"), Key: []byte("k1")}},
		{name: "key bytes", data: "v", opts: []Option{KeyBytes([]byte{0, 1})},
			want: producer.Message{Topic: "t", Value: []byte("v"), Key: []byte{0, 1}}},
		{name: "partition", data: "v", opts: []Option{Partition(3)},
			want: producer.Message{Topic: "t", Value: []byte("v"), Partition: 3, ExplicitPartition: true}},
		{name: "partition zero is explicit", data: "v", opts: []Option{Partition(0)},
			want: producer.Message{Topic: "t", Value: []byte("v"), ExplicitPartition: true}},
		{name: "headers in order with duplicates", data: "v",
			opts: []Option{Header("a", "1"), HeaderBytes("b", []byte{2}), Header("a", "3")},
			want: producer.Message{Topic: "t", Value: []byte("v"), Headers: []producer.Header{
				{Key: "a", Value: []byte("1")}, {Key: "b", Value: []byte{2}}, {Key: "a", Value: []byte("3")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := Deliver(Func([]Topic{Required("t")}, sending(send{topic: "t", data: tt.data, opts: tt.opts})))
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || !reflect.DeepEqual(msgs[0], tt.want) {
				t.Fatalf("got %+v, want %+v", msgs, tt.want)
			}
		})
	}
}
