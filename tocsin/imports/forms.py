import io

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _

from .services.files import too_large_message


class CsvUploadHandler(FileUploadHandler):
    """Keep an upload in memory and stop storing it once it passes TOCSIN_MAX_CSV_BYTES.

    Django would otherwise write a large upload to a temporary file: contact details in
    plain text on disk. The rest of the request is read and thrown away, so the browser
    gets the "too large" page rather than a reset connection.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.TOCSIN_MAX_CSV_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Members file (CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload and upload.size > settings.TOCSIN_MAX_CSV_BYTES):
            raise ValidationError(too_large_message(), code="too_large")
        if not upload:
            raise ValidationError(_("Choose a CSV file to import."), code="required")
        return upload
