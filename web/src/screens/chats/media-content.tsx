/**
 * Media of a message: the API serves files only with the API key, so they are fetched with it and shown from a
 * `blob:` URL (images inline) or saved through one (everything else).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useConsoleSession } from '../../auth/console-session';

async function fetchMedia(apiUrl: string, apiKey: string, mediaId: string): Promise<Blob> {
  const response = await fetch(new URL(`/v1/media/${encodeURIComponent(mediaId)}`, apiUrl), {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok) throw new Error(`media ${mediaId}: HTTP ${response.status}`);
  return response.blob();
}

function useMediaUrl(mediaId: string, enabled: boolean) {
  const { config, apiKey } = useConsoleSession();
  const query = useQuery({
    queryKey: ['media', mediaId],
    enabled: enabled && apiKey !== null,
    staleTime: Infinity,
    queryFn: async () => URL.createObjectURL(await fetchMedia(config.apiUrl, apiKey ?? '', mediaId)),
  });
  useEffect(() => () => (query.data ? URL.revokeObjectURL(query.data) : undefined), [query.data]);
  return query;
}

export function InlineImage(props: { mediaId: string; alt: string }) {
  const url = useMediaUrl(props.mediaId, true);
  if (url.isError) return <p className="error-text">The image could not be loaded.</p>;
  if (!url.data) return <div className="image-placeholder" aria-label="Loading image" />;
  return <img className="message-image" src={url.data} alt={props.alt} data-testid="message-image" />;
}

export function DownloadLink(props: { mediaId: string; fileName: string }) {
  const { config, apiKey } = useConsoleSession();
  const download = async () => {
    const blob = await fetchMedia(config.apiUrl, apiKey ?? '', props.mediaId);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = props.fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <button type="button" className="link" onClick={() => void download()}>
      Download {props.fileName}
    </button>
  );
}
