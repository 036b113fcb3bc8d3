// Package auth says who is calling and what they may do. A request carries
// a bearer token: an API key (stored only as its SHA-256 hash) or a JWT
// (HS256 or RS256). Either names a principal with one role; roles are
// ordered, so an admin may do what an editor may, and an editor what a
// reader may. The schema declares what each field requires with @auth, and
// Check enforces it in one place.
package auth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/golang-jwt/jwt/v5"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/companygraph/companygraph/internal/apierror"
)

// Role is what a principal may do.
type Role int

// The roles, each allowed what the ones before it are.
const (
	Reader Role = iota + 1
	Editor
	Admin
)

// ParseRole reads a role's name, as the schema and tokens spell it.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(s) {
	case "reader":
		return Reader, nil
	case "editor":
		return Editor, nil
	case "admin":
		return Admin, nil
	}
	return 0, fmt.Errorf("unknown role %q: want reader, editor or admin", s)
}

func (r Role) String() string {
	switch r {
	case Reader:
		return "reader"
	case Editor:
		return "editor"
	case Admin:
		return "admin"
	}
	return "none"
}

// Principal is who a request acts as.
type Principal struct {
	Name string
	Role Role
}

// APIKey is a key's owner and role, with the key's SHA-256 hash.
type APIKey struct {
	Name string
	Role Role
	Hash [sha256.Size]byte
}

// ParseAPIKeys reads "name:role:sha256hex" entries separated by commas.
func ParseAPIKeys(s string) ([]APIKey, error) {
	var out []APIKey
	for _, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		parts := strings.Split(entry, ":")
		if len(parts) != 3 || parts[0] == "" {
			return nil, fmt.Errorf("API key %q: want name:role:sha256hex", entry)
		}
		role, err := ParseRole(parts[1])
		if err != nil {
			return nil, fmt.Errorf("API key %s: %w", parts[0], err)
		}
		raw, err := hex.DecodeString(parts[2])
		if err != nil || len(raw) != sha256.Size {
			return nil, fmt.Errorf("API key %s: the hash must be 64 hex digits (sha256 of the key)", parts[0])
		}
		k := APIKey{Name: parts[0], Role: role}
		copy(k.Hash[:], raw)
		out = append(out, k)
	}
	return out, nil
}

// HashKey is the hash stored in configuration for a key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// Options configure an Authenticator.
type Options struct {
	APIKeys []APIKey
	// HS256Secret verifies HS256 JWTs; empty to refuse them.
	HS256Secret []byte
	// RS256Key verifies RS256 JWTs; nil to refuse them.
	RS256Key *rsa.PublicKey
	// Issuer and Audience, when set, must match the JWT's claims.
	Issuer, Audience string
	// RequireForReads makes queries need a principal too.
	RequireForReads bool
}

// Authenticator turns a request's bearer token into a principal.
type Authenticator struct {
	o Options
}

// New returns an Authenticator.
func New(o Options) *Authenticator { return &Authenticator{o: o} }

// RequireForReads reports whether queries need a principal.
func (a *Authenticator) RequireForReads() bool { return a.o.RequireForReads }

var (
	errMissing = apierror.New(apierror.Unauthenticated, "authentication required: send Authorization: Bearer <token>")
	errInvalid = apierror.New(apierror.Unauthenticated, "invalid or expired token")
)

// claims are the JWT claims we read: the subject and its role.
type claims struct {
	Role string `json:"role"`
	jwt.RegisteredClaims
}

// Authenticate reads the bearer token of r. No token gives no principal and
// no error; a token that does not verify is an error.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	return a.credentials(r.Header.Get("Authorization"))
}

// credentials checks an Authorization value: "Bearer <token>".
func (a *Authenticator) credentials(h string) (*Principal, error) {
	if h == "" {
		return nil, nil
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, errInvalid
	}
	token = strings.TrimSpace(token)
	if strings.Count(token, ".") == 2 {
		return a.jwt(token)
	}
	sum := sha256.Sum256([]byte(token))
	for _, k := range a.o.APIKeys {
		if subtle.ConstantTimeCompare(sum[:], k.Hash[:]) == 1 {
			return &Principal{Name: k.Name, Role: k.Role}, nil
		}
	}
	return nil, errInvalid
}

func (a *Authenticator) jwt(token string) (*Principal, error) {
	var methods []string
	if len(a.o.HS256Secret) > 0 {
		methods = append(methods, "HS256")
	}
	if a.o.RS256Key != nil {
		methods = append(methods, "RS256")
	}
	if len(methods) == 0 {
		return nil, errInvalid
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(methods), jwt.WithExpirationRequired()}
	if a.o.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(a.o.Issuer))
	}
	if a.o.Audience != "" {
		opts = append(opts, jwt.WithAudience(a.o.Audience))
	}
	var c claims
	// The key follows the token's algorithm, which WithValidMethods has
	// limited to those configured: an HS256 token is never checked
	// against the RSA public key as a secret.
	_, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if t.Method.Alg() == "RS256" {
			return a.o.RS256Key, nil
		}
		return a.o.HS256Secret, nil
	}, opts...)
	if err != nil || c.Subject == "" {
		return nil, errInvalid
	}
	role, err := ParseRole(c.Role)
	if err != nil {
		return nil, errInvalid
	}
	return &Principal{Name: c.Subject, Role: role}, nil
}

type principalKey struct{}
type failureKey struct{}

// Middleware authenticates each request and keeps the outcome in its
// context; Check decides later, per field, what the outcome allows.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(a.WithCredentials(r.Context(), r.Header.Get("Authorization"))))
	})
}

// WithCredentials keeps in ctx the outcome of checking the Authorization
// value authorization, as Middleware does for a request's header: a
// WebSocket's credentials come in its connection_init message instead.
// An empty value leaves ctx as it is.
func (a *Authenticator) WithCredentials(ctx context.Context, authorization string) context.Context {
	if authorization == "" {
		return ctx
	}
	p, err := a.credentials(authorization)
	if err != nil {
		return context.WithValue(ctx, failureKey{}, err)
	}
	return context.WithValue(ctx, principalKey{}, p)
}

// MayRead says whether the request in ctx may read: an invalid token
// never may (UNAUTHENTICATED), and no token may not when reads need one.
func (a *Authenticator) MayRead(ctx context.Context) error {
	if err, ok := ctx.Value(failureKey{}).(error); ok {
		return err
	}
	if a.o.RequireForReads {
		return Check(ctx, Reader)
	}
	return nil
}

// FromContext returns the request's principal, if any.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok
}

// WithPrincipal returns ctx acting as p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// Check allows the request in ctx to do what needs role: UNAUTHENTICATED
// without a valid token, FORBIDDEN with too small a role. Neither says
// anything about the data, so neither tells whether an entity exists.
func Check(ctx context.Context, role Role) error {
	if err, ok := ctx.Value(failureKey{}).(error); ok {
		return err
	}
	p, ok := FromContext(ctx)
	if !ok {
		return errMissing
	}
	if p.Role < role {
		return apierror.New(apierror.Forbidden, "forbidden: this needs the %s role", role)
	}
	return nil
}

// Directive enforces @auth(requires:) on a field: the one place roles are
// checked. R is the schema's Role enum as gqlgen generates it.
func Directive[R ~string](ctx context.Context, _ any, next graphql.Resolver, requires R) (any, error) {
	role, err := ParseRole(string(requires))
	if err != nil {
		return nil, err
	}
	if err := Check(ctx, role); err != nil {
		return nil, err
	}
	return next(ctx)
}

// Field enforces @auth(requires:) on a field the query engine answers
// itself, as Directive does for those gqlgen's executor answers.
func Field(ctx context.Context, def *ast.FieldDefinition) error {
	d := def.Directives.ForName("auth")
	if d == nil {
		return nil
	}
	arg := d.Arguments.ForName("requires")
	if arg == nil || arg.Value == nil {
		return fmt.Errorf("@auth on %s without requires", def.Name)
	}
	role, err := ParseRole(arg.Value.Raw)
	if err != nil {
		return err
	}
	return Check(ctx, role)
}

// GuardReads refuses queries without a principal when reads require one,
// before any resolver runs. It is response middleware because GraphQL
// errors are presented within the response.
func (a *Authenticator) GuardReads(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if a.o.RequireForReads && graphql.HasOperationContext(ctx) {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation != ast.Mutation {
			if err := Check(ctx, Reader); err != nil {
				graphql.AddError(ctx, err)
				return &graphql.Response{Errors: graphql.GetErrors(ctx)}
			}
		}
	}
	return next(ctx)
}
