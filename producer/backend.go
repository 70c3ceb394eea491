package producer

import (
	"time"

	"github.com/karafka-actors/karafka-actors/client"
)

// backend is the Kafka client library under a [Producer]: sarama (the
// default) or franz-go, chosen by Config.Kafka.Client. The Producer does
// what is the same for both (closing, the size check, Send on top of
// SendAsync); a backend only moves records.
type backend interface {
	// send hands msg to the client library. done (never nil) is called
	// exactly once with the outcome, from the library's result goroutine,
	// never from send itself. send may block while the library's buffer is
	// full. It is never called once close started.
	send(msg *Message, done func(Result))
	// close flushes what was sent, returns once every done ran, then
	// closes the client library.
	close()
}

// txnBackend is the transactional part of a backend: see [Transactional].
// Errors are the library's own; Transactional describes them.
type txnBackend interface {
	begin() error
	addOffsets(offsets []client.Offset, member client.Member) error
	commit() error
	abort() error
	// status reports the transaction state.
	status() txnStatus
}

// txnStatus is what [Transactional.Fatal], Abortable and InTransaction say.
type txnStatus struct {
	fatal, abortable, inTxn bool
}

// txnSettings are what [NewTransactional] asks of a backend on top of the
// producer's Config.
type txnSettings struct {
	id         string
	timeout    time.Duration // when timeoutSet
	timeoutSet bool
}

// started is what a backend's constructor returns.
type started struct {
	b        backend
	txn      txnBackend    // nil unless made for a txnSettings
	maxBytes int           // the effective Config.MaxMessageBytes
	timeout  time.Duration // the transaction timeout the broker is given
}
