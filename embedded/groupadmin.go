package embedded

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// clientAdmin is a [groupAdmin] that talks to the broker over its own
// connection, as any client would.
type clientAdmin struct{ cl *kgo.Client }

func newClientAdmin(addr string) (*clientAdmin, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ClientID("karafka-actors-embedded-sessions"))
	if err != nil {
		return nil, err
	}
	return &clientAdmin{cl: cl}, nil
}

// broker is the seed connection: the broker has one node, and requests sent
// there do not follow an advertised address that may point at a proxy.
func (a *clientAdmin) broker() *kgo.Broker { return a.cl.SeedBrokers()[0] }

func (a *clientAdmin) describe(ctx context.Context, groups []string) (map[string]groupState, error) {
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = groups
	kresp, err := a.broker().Request(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := kresp.(*kmsg.DescribeGroupsResponse)
	states := make(map[string]groupState, len(resp.Groups))
	for _, g := range resp.Groups {
		if g.ErrorCode != 0 {
			continue
		}
		st := groupState{state: g.State}
		for _, m := range g.Members {
			st.members = append(st.members, m.MemberID)
		}
		states[g.Group] = st
	}
	return states, nil
}

func (a *clientAdmin) leave(ctx context.Context, group, member string) error {
	req := kmsg.NewPtrLeaveGroupRequest()
	req.Group = group
	req.MemberID = member
	m := kmsg.NewLeaveGroupRequestMember()
	m.MemberID = member
	req.Members = append(req.Members, m)
	kresp, err := a.broker().Request(ctx, req)
	if err != nil {
		return err
	}
	resp := kresp.(*kmsg.LeaveGroupResponse)
	if err := kerr.ErrorForCode(resp.ErrorCode); err != nil {
		return fmt.Errorf("leave group %q for member %q: %w", group, member, err)
	}
	return nil
}

func (a *clientAdmin) close() { a.cl.Close() }
