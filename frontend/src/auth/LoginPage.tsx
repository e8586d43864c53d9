/** /login: email and password; on success, back to where the person was going. */
import { type FormEvent, useId, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ProblemAlert } from '../ui/States';
import { useLogin } from './session';

export function LoginPage() {
  const id = useId();
  const navigate = useNavigate();
  const location = useLocation();
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const from = (location.state as { from?: string } | null)?.from ?? '/pipeline';

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => navigate(from.startsWith('/login') ? '/pipeline' : from, { replace: true }) });
  }

  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <title>Log in · Rapport</title>
        <h1 id={`${id}-title`}>Log in to Rapport</h1>
        <ProblemAlert error={login.error} />
        <div className="field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="button button-primary" disabled={login.isPending}>
          Log in
        </button>
        <p className="auth-switch">
          New to Rapport? <Link to="/signup">Sign up</Link>
        </p>
      </form>
    </main>
  );
}
