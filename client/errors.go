package client

import (
	"errors"
	"fmt"
)

// Code is a Kafka protocol error code. Errors from either implementation
// match the codes they carry: errors.Is(err, client.ErrUnknownTopicOrPartition).
type Code int16

func (c Code) Error() string {
	if name, ok := codeNames[c]; ok {
		return fmt.Sprintf("kafka: %s (error code %d)", name, int16(c))
	}
	return fmt.Sprintf("kafka: error code %d", int16(c))
}

// The codes the runtime tells apart.
const (
	ErrUnknownTopicOrPartition   Code = 3
	ErrMessageTooLarge           Code = 10
	ErrRecordListTooLarge        Code = 18
	ErrInvalidSessionTimeout     Code = 26
	ErrTopicAuthorizationFailed  Code = 29
	ErrGroupAuthorizationFailed  Code = 30
	ErrInvalidProducerEpoch      Code = 47
	ErrInvalidTransactionTimeout Code = 50
	ErrFencedInstanceID          Code = 82
	ErrInvalidRecord             Code = 87
	ErrUnstableOffsetCommit      Code = 88
	ErrProducerFenced            Code = 90

	// Told apart by the admin tools (client.Admin).
	ErrInvalidTopic               Code = 17
	ErrClusterAuthorizationFailed Code = 31
	ErrTopicAlreadyExists         Code = 36
	ErrInvalidPartitions          Code = 37
	ErrInvalidReplicationFactor   Code = 38
	ErrInvalidConfig              Code = 40
	ErrInvalidRequest             Code = 42
	ErrPolicyViolation            Code = 44
	ErrSASLAuthenticationFailed   Code = 58
)

var codeNames = map[Code]string{
	ErrUnknownTopicOrPartition:   "UNKNOWN_TOPIC_OR_PARTITION",
	ErrMessageTooLarge:           "MESSAGE_TOO_LARGE",
	ErrRecordListTooLarge:        "RECORD_LIST_TOO_LARGE",
	ErrInvalidSessionTimeout:     "INVALID_SESSION_TIMEOUT",
	ErrTopicAuthorizationFailed:  "TOPIC_AUTHORIZATION_FAILED",
	ErrGroupAuthorizationFailed:  "GROUP_AUTHORIZATION_FAILED",
	ErrInvalidProducerEpoch:      "INVALID_PRODUCER_EPOCH",
	ErrInvalidTransactionTimeout: "INVALID_TRANSACTION_TIMEOUT",
	ErrFencedInstanceID:          "FENCED_INSTANCE_ID",
	ErrInvalidRecord:             "INVALID_RECORD",
	ErrUnstableOffsetCommit:      "UNSTABLE_OFFSET_COMMIT",
	ErrProducerFenced:            "PRODUCER_FENCED",

	ErrInvalidTopic:               "INVALID_TOPIC_EXCEPTION",
	ErrClusterAuthorizationFailed: "CLUSTER_AUTHORIZATION_FAILED",
	ErrTopicAlreadyExists:         "TOPIC_ALREADY_EXISTS",
	ErrInvalidPartitions:          "INVALID_PARTITIONS",
	ErrInvalidReplicationFactor:   "INVALID_REPLICATION_FACTOR",
	ErrInvalidConfig:              "INVALID_CONFIG",
	ErrInvalidRequest:             "INVALID_REQUEST",
	ErrPolicyViolation:            "POLICY_VIOLATION",
	ErrSASLAuthenticationFailed:   "SASL_AUTHENTICATION_FAILED",
}

// Error is an error of a client library that carries a Kafka error code.
// It matches its Code with errors.Is, and unwraps to the library's error
// (which then matches that library's own sentinels too).
type Error struct {
	Code Code
	Err  error
}

func (e *Error) Error() string   { return e.Err.Error() }
func (e *Error) Unwrap() error   { return e.Err }
func (e *Error) Is(t error) bool { c, ok := t.(Code); return ok && c == e.Code }

// Coded returns err with code attached (err itself when code is 0 or err
// nil, or when err already carries a code).
func Coded(err error, code int16) error {
	if err == nil || code == 0 {
		return err
	}
	if _, ok := errors.AsType[*Error](err); ok {
		return err
	}
	return &Error{Code: Code(code), Err: err}
}

// Answered returns err, what a library made of a broker's answer with
// Kafka error code and the broker's message msg ("" when none), as an
// error that reads the same whichever library got it
// ("kafka: NAME (error code N): msg"), matches code, and unwraps to err.
func Answered(err error, code int16, msg string) error {
	return Coded(&answered{code: Code(code), msg: msg, err: err}, code)
}

// answered is the text of [Answered].
type answered struct {
	code Code
	msg  string
	err  error
}

func (e *answered) Error() string {
	if e.msg != "" {
		return e.code.Error() + ": " + e.msg
	}
	return e.code.Error()
}
func (e *answered) Unwrap() error { return e.err }

// ErrUnreachable is wrapped by errors of a client that reached no broker.
var ErrUnreachable = errors.New("client: cannot reach Kafka")

// ErrClosed is wrapped by what a closed group returns.
var ErrClosed = errors.New("client: closed")
