// The shell's commands, typed with the bindings generated from the Rust
// types (ui/src/bindings, written by courier-client's bindings test).

import { Channel, invoke } from "@tauri-apps/api/core";

import type { AttachmentList } from "./bindings/AttachmentList";
import type { ChangeView } from "./bindings/ChangeView";
import type { DesktopSettings } from "./bindings/DesktopSettings";
import type { LibrarySettings } from "./bindings/LibrarySettings";
import type { LibrarySettingsUpdate } from "./bindings/LibrarySettingsUpdate";
import type { LibrarySettingsView } from "./bindings/LibrarySettingsView";
import type { Notice } from "./bindings/Notice";
import type { RequestList } from "./bindings/RequestList";
import type { RequestView } from "./bindings/RequestView";
import type { Role } from "./bindings/Role";
import type { SignedIn } from "./bindings/SignedIn";
import type { Status } from "./bindings/Status";
import type { StatusLabel } from "./bindings/StatusLabel";
import type { SyncState } from "./bindings/SyncState";
import type { UploadProgress } from "./bindings/UploadProgress";
import type { UploadView } from "./bindings/UploadView";

export const api = {
  resume: () => invoke<SignedIn | null>("resume"),
  signIn: (username: string, password: string) =>
    invoke<SignedIn>("sign_in", { username, password }),
  signOut: () => invoke<null>("sign_out"),
  syncNow: () => invoke<SyncState>("sync_now"),
  getSettings: () => invoke<DesktopSettings>("get_settings"),
  saveSettings: (settings: DesktopSettings) =>
    invoke<DesktopSettings>("save_settings", { settings }),
  librarySettings: () => invoke<LibrarySettingsView>("library_settings"),
  saveLibrarySettings: (update: LibrarySettingsUpdate) =>
    invoke<LibrarySettings>("save_library_settings", { update }),
  statusLabels: () => invoke<StatusLabel[]>("status_labels"),
  listRequests: (role: Role | null, statuses: Status[], search: string) =>
    invoke<RequestList>("list_requests", { role, statuses, search: search || null }),
  requestDetails: (id: number) => invoke<RequestView>("request_details", { id }),
  changeStatus: (id: number, status: Status) =>
    invoke<ChangeView>("change_status", { id, status }),
  changeStatuses: (ids: number[], status: Status) =>
    invoke<ChangeView[]>("change_statuses", { ids, status }),
  openUploadWindow: (id: number, number: string) =>
    invoke<null>("open_upload_window", { id, number }),
  chooseFiles: () => invoke<string[]>("choose_files"),
  uploadFile: (
    id: number,
    file: number,
    path: string,
    description: string,
    maxDownloads: number,
    expiresInDays: number,
    onProgress: (progress: UploadProgress) => void,
  ) => {
    const progress = new Channel<UploadProgress>();
    progress.onmessage = onProgress;
    return invoke<UploadView>("upload_file", {
      id,
      file,
      path,
      description,
      maxDownloads,
      expiresInDays,
      progress,
    });
  },
  listAttachments: (id: number) => invoke<AttachmentList>("list_attachments", { id }),
  downloadAttachment: (requestId: number, attachmentId: number, filename: string) =>
    invoke<string | null>("download_attachment", { requestId, attachmentId, filename }),
  copyDocumentUrl: (url: string) => invoke<null>("copy_document_url", { url }),
  sendDocumentUrl: (requestId: number, attachmentId: number) =>
    invoke<Notice>("send_document_url", { requestId, attachmentId }),
  retryNotice: (requestId: number, noticeId: number) =>
    invoke<null>("retry_notice", { requestId, noticeId }),
};

/** The words staff see for each status, from the Rust side. */
const labels = new Map<Status, string>();

export async function loadLabels(): Promise<void> {
  for (const { status, label } of await api.statusLabels()) labels.set(status, label);
}

export function label(status: Status): string {
  return labels.get(status) ?? status;
}

/** An error from a command, as a sentence. */
export function message(error: unknown): string {
  return typeof error === "string" ? error : String(error);
}
