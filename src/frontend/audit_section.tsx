import DynamicTable from '@atlaskit/dynamic-table';
import Lozenge from '@atlaskit/lozenge';
import { Box, Stack, Text } from '@atlaskit/primitives';
import type { AdminPageView, AuditEntryView, Words } from '../admin/contract';
import { Section } from './status_sections';
import { Instant, PersonName, Say, T, usePresentation, useWords } from './viewer_context';
import { wordParts } from './word_parts';
import { AUDIT_ACTION_KEYS, TRIGGER_TITLE_KEYS } from './words';

/**
 * What administrators did here. Entries say what happened in the viewer's
 * language; entries stored before the app wrote words keep the English words
 * they were stored with, as written.
 */

/** Words this page can write in full: every key and placeholder known (an entry from a newer version may not be). */
function writable(w: Words, lookup: (key: string) => string | null, locale: string): boolean {
  let complete = true;
  wordParts(w, {
    lookup,
    viewer: { locale, timeZone: 'UTC' },
    now: new Date(0).toISOString(),
    onMissing: () => (complete = false),
  });
  return complete;
}

function Outcome({ entry }: { entry: AuditEntryView }) {
  const { lookup, viewer } = usePresentation();
  return entry.words && writable(entry.words, lookup, viewer.locale) ? (
    <Say words={entry.words} />
  ) : (
    <span data-testid="stored-words">{entry.detail}</span>
  );
}

export function AuditSection({ view }: { view: AdminPageView }) {
  const { t } = useWords();
  return (
    <Section id="audit-heading" title={t('audit.heading')}>
      <div className="table-frame" data-testid="audit-table">
        <DynamicTable
          label={t('audit.heading')}
          isFixedSize
          head={{
            cells: [
              { key: 'when', content: t('audit.column.when'), width: 22 },
              { key: 'who', content: t('audit.column.who'), width: 22 },
              { key: 'action', content: t('audit.column.action'), width: 22 },
              { key: 'detail', content: t('audit.column.outcome'), width: 34 },
            ],
          }}
          rows={view.audit.map((e) => ({
            key: e.key,
            testId: 'audit-row',
            cells: [
              { key: 'when', content: <Instant at={e.at} /> },
              { key: 'who', content: <PersonName accountId={e.accountId} /> },
              {
                key: 'action',
                content: (
                  <Stack space="space.050">
                    <span>{t(AUDIT_ACTION_KEYS[e.action])}</span>
                    {e.trigger && (
                      <Text size="small" color="color.text.subtle">
                        {t(TRIGGER_TITLE_KEYS[e.trigger])}
                      </Text>
                    )}
                  </Stack>
                ),
              },
              {
                key: 'detail',
                content: (
                  <Stack space="space.050">
                    <Box>
                      <Lozenge appearance={e.outcome === 'done' ? 'success' : 'removed'}>
                        <T k={e.outcome === 'done' ? 'audit.outcome.done' : 'audit.outcome.failed'} />
                      </Lozenge>
                    </Box>
                    <Text size="small">
                      <Outcome entry={e} />
                    </Text>
                  </Stack>
                ),
              },
            ],
          }))}
          emptyView={
            <Box padding="space.300">
              <Text as="p" align="center" color="color.text.subtle">
                <T k="audit.empty" />
              </Text>
            </Box>
          }
        />
      </div>
    </Section>
  );
}
