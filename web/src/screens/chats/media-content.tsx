/**
 * Media of a message: the API serves files only with the API key, so they are fetched with it and shown from a
 * `blob:` URL (images inline) or saved through one (everything else).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { unwrap, type ApiClient } from '../../api/client';
import { useApi } from '../../auth/console-session';
import { queryKeys } from '../../live/query-keys';

async function fetchMedia(api: ApiClient, mediaId: string): Promise<Blob> {
  return unwrap(await api.GET('/v1/media/{mediaId}', { params: { path: { mediaId } }, parseAs: 'blob' }));
}

function useMediaUrl(mediaId: string) {
  const api = useApi();
  const query = useQuery({
    queryKey: queryKeys.media(mediaId),
    staleTime: Infinity,
    queryFn: async () => URL.createObjectURL(await fetchMedia(api, mediaId)),
  });
  useEffect(() => () => (query.data ? URL.revokeObjectURL(query.data) : undefined), [query.data]);
  return query;
}

export function InlineImage(props: { mediaId: string; alt: string }) {
  const url = useMediaUrl(props.mediaId);
  if (url.isError) return <p className="error-text">The image could not be loaded.</p>;
  if (!url.data) return <div className="image-placeholder" aria-label="Loading image" />;
  return <img className="message-image" src={url.data} alt={props.alt} data-testid="message-image" />;
}

export function DownloadLink(props: { mediaId: string; fileName: string }) {
  const api = useApi();
  const download = async () => {
    const blob = await fetchMedia(api, props.mediaId);
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
