/** /signup: a person and their new workspace. */
import { type FormEvent, useId, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { fieldErrors, isApiError } from '../api/problem';
import { ProblemAlert } from '../ui/States';
import { type SignupInput, useSignup } from './session';

const FIELDS: { name: keyof SignupInput; label: string; type: string; autoComplete: string }[] = [
  { name: 'name', label: 'Name', type: 'text', autoComplete: 'name' },
  { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
  { name: 'password', label: 'Password', type: 'password', autoComplete: 'new-password' },
  { name: 'workspace_name', label: 'Workspace name', type: 'text', autoComplete: 'organization' },
];

export function SignupPage() {
  const id = useId();
  const navigate = useNavigate();
  const signup = useSignup();
  const [values, setValues] = useState<SignupInput>({ name: '', email: '', password: '', workspace_name: '' });
  const errors = isApiError(signup.error) ? fieldErrors(signup.error.problem) : {};

  function submit(event: FormEvent) {
    event.preventDefault();
    signup.mutate(values, { onSuccess: () => navigate('/pipeline', { replace: true }) });
  }

  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={submit} aria-labelledby={`${id}-title`}>
        <title>Sign up · Rapport</title>
        <h1 id={`${id}-title`}>Create your workspace</h1>
        <ProblemAlert error={signup.error} />
        {FIELDS.map((f) => (
          <div className="field" key={f.name}>
            <label htmlFor={`${id}-${f.name}`}>{f.label}</label>
            <input
              id={`${id}-${f.name}`}
              type={f.type}
              autoComplete={f.autoComplete}
              required
              value={values[f.name]}
              aria-invalid={errors[f.name] ? true : undefined}
              aria-describedby={errors[f.name] ? `${id}-${f.name}-error` : undefined}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
            />
            {errors[f.name] ? (
              <p className="field-error" id={`${id}-${f.name}-error`}>
                {errors[f.name]}
              </p>
            ) : null}
          </div>
        ))}
        <button type="submit" className="button button-primary" disabled={signup.isPending}>
          Sign up
        </button>
        <p className="auth-switch">
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      </form>
    </main>
  );
}
