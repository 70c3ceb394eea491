package franzclient

import (
	"errors"
	"fmt"
	"net"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/karafka-actors/karafka-actors/client"
)

// Why a session ends, as its context's cause.
var (
	// errRevoked: kgo revoked the session's partitions (a rebalance).
	errRevoked = errors.New("franzclient: partitions revoked")
	// errLost: kgo lost the session's partitions (the group management
	// failed; the error follows through HookGroupManageError).
	errLost = errors.New("franzclient: partitions lost")
	// errCut: Cut or Close ended every wait for the broker.
	errCut = errors.New("franzclient: waits for the broker cut (shutdown)")
)

// coded wraps err (of kgo) with what the runtime tells apart: the Kafka
// error code it carries ([client.Error]), or [client.ErrUnreachable] when
// no broker could be reached.
func coded(err error, format string, a ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, a...)
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		return client.Coded(fmt.Errorf("%s: %w", msg, err), ke.Code)
	}
	if unreachable(err) {
		return fmt.Errorf("%s: %w: %w", msg, client.ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// unreachable reports whether err says that a broker could not be
// connected to (kgo returns the dialer's error).
func unreachable(err error) bool {
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	return false
}
