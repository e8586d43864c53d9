/** /settings and /settings/<section>: the Settings menu and the section it points at. */
import { Link, useParams } from 'react-router';
import { Empty } from '../ui/States';
import { ReadOnlyNote } from './access';
import { SETTINGS_SECTIONS, type SettingsSection } from './sections';
import './settings.css';

export function SettingsPage() {
  const { section: path } = useParams();
  const current: SettingsSection | undefined = path ? SETTINGS_SECTIONS.find((s) => s.path === path) : SETTINGS_SECTIONS[0];
  return (
    <section className="page settings-page" aria-labelledby="settings-title">
      <title>{`${current ? `${current.title} · ` : ''}Settings · Rapport`}</title>
      <h1 id="settings-title">Settings</h1>
      <div className="settings-layout">
        <nav aria-label="Settings sections" className="settings-nav">
          <ul>
            {SETTINGS_SECTIONS.map((s) => (
              <li key={s.path}>
                <Link to={`/settings/${s.path}`} aria-current={s === current ? 'page' : undefined}>
                  {s.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        {current ? (
          <section className="settings-section" aria-labelledby="settings-section-title" key={current.path}>
            <h2 id="settings-section-title">{current.title}</h2>
            {current.personal ? null : <ReadOnlyNote />}
            <current.component />
          </section>
        ) : (
          <section className="settings-section">
            <h2>Unknown section</h2>
            <Empty title="There is no such settings section." />
          </section>
        )}
      </div>
    </section>
  );
}
