<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU" sourcelanguage="en">
<context>
    <name>CoreMessages</name>
    <message>
        <source>A card must list either classic or post-quantum recipients, not both, and no passphrase recipients.</source>
        <translation>В карточке должны быть либо классические, либо постквантовые ключи получателей, но не те и другие сразу, и никаких получателей по парольной фразе.</translation>
    </message>
    <message>
        <source>A cryptographic operation failed.</source>
        <translation>Не удалось выполнить операцию шифрования.</translation>
    </message>
    <message>
        <source>A field of the card is not allowed: too long, empty, of the wrong kind, or holding hidden characters.</source>
        <translation>Одно из полей карточки недопустимо: оно слишком длинное, пустое, не того вида или содержит скрытые символы.</translation>
    </message>
    <message>
        <source>A file changed while it was being prepared, so nothing was sent. Make sure no program is editing it and try again.</source>
        <translation>Файл изменился, пока его готовили, поэтому ничего не отправлено. Убедитесь, что его не редактирует другая программа, и попробуйте ещё раз.</translation>
    </message>
    <message>
        <source>A file with that name exists already; it was left untouched.</source>
        <translation>Файл с таким именем уже есть; он не был изменён.</translation>
    </message>
    <message>
        <source>A folder named &apos;demo&apos; that the demo did not create is in the app&apos;s data folder, so the demo was not started.</source>
        <translation>В папке данных программы есть папка «demo», которую создал не деморежим, поэтому деморежим не запущен.</translation>
    </message>
    <message>
        <source>A part could not be opened safely, so nothing was written.</source>
        <translation>Одну из частей не удалось безопасно открыть, поэтому ничего не записано.</translation>
    </message>
    <message>
        <source>A part could not be read (check the file exists and is readable).</source>
        <translation>Не удалось прочитать часть (проверьте, что файл существует и доступен для чтения).</translation>
    </message>
    <message>
        <source>After cleaning, this file still showed identifying details, so it will not be sent.</source>
        <translation>После очистки в этом файле всё ещё остались сведения, по которым можно узнать автора, поэтому он не будет отправлен.</translation>
    </message>
    <message>
        <source>An .onion address can only be reached through Tor. Start Tor, or set its proxy.</source>
        <translation>Адрес .onion доступен только через Tor. Запустите Tor или укажите его прокси.</translation>
    </message>
    <message>
        <source>An empty passphrase is not allowed.</source>
        <translation>Пустая парольная фраза не допускается.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Отменено.</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was sent and nothing was kept.</source>
        <translation>Отменено. Ничего не отправлено и ничего не сохранено.</translation>
    </message>
    <message>
        <source>Cancelled. Nothing was written.</source>
        <translation>Отменено. Ничего не записано.</translation>
    </message>
    <message>
        <source>Choose at least one file to send.</source>
        <translation>Выберите хотя бы один файл для отправки.</translation>
    </message>
    <message>
        <source>Choose the USB stick or folder to copy the parts to.</source>
        <translation>Выберите флешку или папку, куда скопировать части.</translation>
    </message>
    <message>
        <source>Making the preview took too long, so it was stopped.</source>
        <translation>Подготовка просмотра заняла слишком много времени и была остановлена.</translation>
    </message>
    <message>
        <source>No pinned organisation has that name, and no card file is at that path. Import the organisation&apos;s card first, or give the card file.</source>
        <translation>Среди сохранённых организаций нет организации с таким названием, и по этому пути нет файла карточки. Сначала импортируйте карточку организации или укажите файл карточки.</translation>
    </message>
    <message>
        <source>No preview can be shown for this file.</source>
        <translation>Для этого файла нельзя показать просмотр.</translation>
    </message>
    <message>
        <source>None of the given keys can open this file.</source>
        <translation>Ни один из указанных ключей не открывает этот файл.</translation>
    </message>
    <message>
        <source>Sending was stopped. It will continue from where it stopped next time.</source>
        <translation>Отправка остановлена. В следующий раз она продолжится с того же места.</translation>
    </message>
    <message>
        <source>Some fields are missing or not valid.</source>
        <translation>Некоторые поля не заполнены или заполнены неверно.</translation>
    </message>
    <message>
        <source>Some files cannot be sent safely, so nothing was sent. Remove them and try again.</source>
        <translation>Некоторые файлы нельзя безопасно отправить, поэтому ничего не отправлено. Уберите их и попробуйте ещё раз.</translation>
    </message>
    <message>
        <source>Something went wrong.</source>
        <translation>Что-то пошло не так.</translation>
    </message>
    <message>
        <source>That folder could not be read.</source>
        <translation>Не удалось прочитать эту папку.</translation>
    </message>
    <message>
        <source>The ASCII-armored text is malformed.</source>
        <translation>Текст в формате ASCII armor повреждён.</translation>
    </message>
    <message>
        <source>The Tor connection is not available. Sending will wait and try again.</source>
        <translation>Соединение через Tor недоступно. Отправка подождёт и попробует снова.</translation>
    </message>
    <message>
        <source>The app&apos;s saved data could not be opened: it was altered or damaged, or the key is wrong.</source>
        <translation>Не удалось открыть сохранённые данные программы: они изменены или повреждены, либо ключ неверный.</translation>
    </message>
    <message>
        <source>The bundle contains something other than plain files (such as a link or a device), which could harm this computer, so it was not opened.</source>
        <translation>В пакете есть не только обычные файлы (например, ссылка или устройство), а это может навредить компьютеру, поэтому пакет не открыт.</translation>
    </message>
    <message>
        <source>The bundle could not be assembled.</source>
        <translation>Не удалось собрать пакет.</translation>
    </message>
    <message>
        <source>The bundle could not be opened safely, so nothing was written.</source>
        <translation>Пакет не удалось безопасно открыть, поэтому ничего не записано.</translation>
    </message>
    <message>
        <source>The bundle ends too early: it is incomplete or damaged.</source>
        <translation>Пакет обрывается раньше времени: он неполный или повреждён.</translation>
    </message>
    <message>
        <source>The bundle is larger than the limits set for opening, so it was not opened.</source>
        <translation>Пакет больше допустимого для открытия размера, поэтому он не открыт.</translation>
    </message>
    <message>
        <source>The bundle names a file in a way that could write outside its folder.</source>
        <translation>Имя файла в пакете позволило бы записать его за пределами папки.</translation>
    </message>
    <message>
        <source>The bundle names the same file twice.</source>
        <translation>В пакете один и тот же файл указан дважды.</translation>
    </message>
    <message>
        <source>The bundle&apos;s contents are not in the expected format, so it was not opened.</source>
        <translation>Содержимое пакета не в ожидаемом формате, поэтому он не открыт.</translation>
    </message>
    <message>
        <source>The bundle&apos;s contents do not match its list of contents (a size or hash differs).</source>
        <translation>Содержимое пакета не совпадает с его списком (отличается размер или хеш).</translation>
    </message>
    <message>
        <source>The bundle&apos;s list of contents is missing or malformed, so it was not opened.</source>
        <translation>Список содержимого пакета отсутствует или повреждён, поэтому пакет не открыт.</translation>
    </message>
    <message>
        <source>The card claims a hand-over from an earlier key, but that hand-over signature is not valid. Do not use this card.</source>
        <translation>Карточка заявляет о переходе с прежнего ключа, но подпись этого перехода недействительна. Не используйте эту карточку.</translation>
    </message>
    <message>
        <source>The card file could not be read.</source>
        <translation>Не удалось прочитать файл карточки.</translation>
    </message>
    <message>
        <source>The card lists a recipient key that is not valid.</source>
        <translation>В карточке указан недействительный ключ получателя.</translation>
    </message>
    <message>
        <source>The card text was damaged while being copied (its checksum does not match). Copy it again from the original.</source>
        <translation>Текст карточки повредился при копировании (не совпадает контрольная сумма). Скопируйте его ещё раз из оригинала.</translation>
    </message>
    <message>
        <source>The card&apos;s signature is not valid: it was altered after signing, or it is forged. Do not use it.</source>
        <translation>Подпись карточки недействительна: карточку изменили после подписи или подделали. Не используйте её.</translation>
    </message>
    <message>
        <source>The copy could not be verified after writing. It will be written again.</source>
        <translation>Не удалось проверить копию после записи. Она будет записана снова.</translation>
    </message>
    <message>
        <source>The demo could not be started. Nothing real was changed.</source>
        <translation>Не удалось запустить деморежим. Ничего настоящего не изменено.</translation>
    </message>
    <message>
        <source>The destination address is not valid.</source>
        <translation>Адрес назначения недействителен.</translation>
    </message>
    <message>
        <source>The destination could not be reached. Sending will be tried again later.</source>
        <translation>Не удалось связаться с адресатом. Отправка будет повторена позже.</translation>
    </message>
    <message>
        <source>The destination folder does not exist, is not a folder, or cannot be written.</source>
        <translation>Папка назначения не существует, не является папкой или недоступна для записи.</translation>
    </message>
    <message>
        <source>The destination refused the part.</source>
        <translation>Адресат не принял часть.</translation>
    </message>
    <message>
        <source>The encrypted contents failed authentication: the file is damaged or truncated.</source>
        <translation>Зашифрованное содержимое не прошло проверку подлинности: файл повреждён или обрезан.</translation>
    </message>
    <message>
        <source>The encrypted parts could not be written (the disk may be full), so nothing was sent.</source>
        <translation>Не удалось записать зашифрованные части (возможно, диск заполнен), поэтому ничего не отправлено.</translation>
    </message>
    <message>
        <source>The file is not a valid age file: its header is malformed.</source>
        <translation>Это не настоящий файл age: его заголовок повреждён.</translation>
    </message>
    <message>
        <source>The file&apos;s header failed authentication: it was altered or damaged.</source>
        <translation>Заголовок файла не прошёл проверку подлинности: его изменили или повредили.</translation>
    </message>
    <message>
        <source>The file&apos;s name says one type but its contents are another. It will not be sent, because it may not be what it seems.</source>
        <translation>Имя файла указывает на один тип, а содержимое — на другой. Он не будет отправлен: возможно, это не то, чем он кажется.</translation>
    </message>
    <message>
        <source>The folder or USB stick is not available or is full. Plug it in and try again.</source>
        <translation>Папка или флешка недоступна или заполнена. Подключите её и попробуйте ещё раз.</translation>
    </message>
    <message>
        <source>The inbox could not store the upload.</source>
        <translation>Сервер приёма не смог сохранить загрузку.</translation>
    </message>
    <message>
        <source>The inbox is out of space.</source>
        <translation>На сервере приёма закончилось место.</translation>
    </message>
    <message>
        <source>The key file could not be read or written.</source>
        <translation>Не удалось прочитать или записать файл ключа.</translation>
    </message>
    <message>
        <source>The key fingerprint could not be computed.</source>
        <translation>Не удалось вычислить отпечаток ключа.</translation>
    </message>
    <message>
        <source>The key or recipient is not in a recognised format.</source>
        <translation>Ключ или получатель в неизвестном формате.</translation>
    </message>
    <message>
        <source>The key this file refers to is no longer in the system&apos;s key store.</source>
        <translation>Ключа, на который ссылается этот файл, больше нет в системном хранилище ключей.</translation>
    </message>
    <message>
        <source>The list of trusted organisations could not be opened: it is damaged, or the key or passphrase is wrong.</source>
        <translation>Не удалось открыть список доверенных организаций: он повреждён, либо ключ или парольная фраза неверны.</translation>
    </message>
    <message>
        <source>The message is too long.</source>
        <translation>Сообщение слишком длинное.</translation>
    </message>
    <message>
        <source>The opened files could not be written to the destination (is the disk full?).</source>
        <translation>Не удалось записать открытые файлы в папку назначения (не заполнен ли диск?).</translation>
    </message>
    <message>
        <source>The outbox could not be used.</source>
        <translation>Не удалось воспользоваться исходящими.</translation>
    </message>
    <message>
        <source>The outbox is already being sent by another window or command.</source>
        <translation>Исходящие уже отправляются из другого окна или другой командой.</translation>
    </message>
    <message>
        <source>The outbox records are damaged or were made with another key.</source>
        <translation>Записи исходящих повреждены или сделаны другим ключом.</translation>
    </message>
    <message>
        <source>The part could not be delivered now; it will be tried again.</source>
        <translation>Сейчас доставить часть не удалось; попытка будет повторена.</translation>
    </message>
    <message>
        <source>The part could not be delivered.</source>
        <translation>Не удалось доставить часть.</translation>
    </message>
    <message>
        <source>The part size is too small for this submission (or outside 1 MiB to 4 GiB).</source>
        <translation>Размер части слишком мал для этой передачи (или выходит за пределы от 1 МиБ до 4 ГиБ).</translation>
    </message>
    <message>
        <source>The parts would be too large for the organisation&apos;s upload address: an OnionShare share takes less than 1 GiB at a time. Choose a smaller part size.</source>
        <translation>Части получились бы слишком большими для адреса загрузки организации: общий ресурс OnionShare принимает менее 1 ГиБ за раз. Выберите меньший размер части.</translation>
    </message>
    <message>
        <source>The passphrase is wrong, or the protected file is damaged.</source>
        <translation>Парольная фраза неверна, или защищённый файл повреждён.</translation>
    </message>
    <message>
        <source>The picture in this file is too large to preview safely.</source>
        <translation>Изображение в этом файле слишком большое, чтобы безопасно показать его.</translation>
    </message>
    <message>
        <source>The preview could not be made: the file may be damaged or in an unusual form.</source>
        <translation>Не удалось подготовить просмотр: файл может быть повреждён или иметь необычный вид.</translation>
    </message>
    <message>
        <source>The proxy setting is not valid: use socks5h://HOST:PORT.</source>
        <translation>Настройка прокси недействительна: используйте socks5h://ХОСТ:ПОРТ.</translation>
    </message>
    <message>
        <source>The readable lines of this card do not match its signed content: someone changed them. Do not use this card.</source>
        <translation>Читаемые строки этой карточки не совпадают с её подписанным содержимым: кто-то их изменил. Не используйте эту карточку.</translation>
    </message>
    <message>
        <source>The receiving server gave a garbled answer. Sending will be tried again.</source>
        <translation>Принимающий сервер дал искажённый ответ. Отправка будет повторена.</translation>
    </message>
    <message>
        <source>The receiving server is busy or having trouble. Sending will be tried again.</source>
        <translation>Принимающий сервер занят или работает с перебоями. Отправка будет повторена.</translation>
    </message>
    <message>
        <source>The receiving server is out of space. Sending will be tried again later.</source>
        <translation>На принимающем сервере закончилось место. Отправка будет повторена позже.</translation>
    </message>
    <message>
        <source>The receiving server refused this part.</source>
        <translation>Принимающий сервер не принял эту часть.</translation>
    </message>
    <message>
        <source>The same part was given twice.</source>
        <translation>Одна и та же часть указана дважды.</translation>
    </message>
    <message>
        <source>The signature does not match: the data was altered or signed by another key.</source>
        <translation>Подпись не совпадает: данные изменены или подписаны другим ключом.</translation>
    </message>
    <message>
        <source>The system&apos;s key store is not available; choose a passphrase instead.</source>
        <translation>Системное хранилище ключей недоступно; выберите вместо него парольную фразу.</translation>
    </message>
    <message>
        <source>There is no preview for this type of file.</source>
        <translation>Для файлов этого типа просмотра нет.</translation>
    </message>
    <message>
        <source>There is no such part in the outbox.</source>
        <translation>Такой части нет в исходящих.</translation>
    </message>
    <message>
        <source>There is not enough free disk space in the destination to open this bundle.</source>
        <translation>В папке назначения недостаточно свободного места, чтобы открыть этот пакет.</translation>
    </message>
    <message>
        <source>These parts belong to different submissions. Open each submission separately.</source>
        <translation>Эти части относятся к разным передачам. Открывайте каждую передачу отдельно.</translation>
    </message>
    <message>
        <source>These recipients cannot be combined in one file.</source>
        <translation>Этих получателей нельзя объединить в одном файле.</translation>
    </message>
    <message>
        <source>This card is older than the one you already have for this organisation. Keep using the newer one.</source>
        <translation>Эта карточка старше той, что у вас уже есть для этой организации. Продолжайте пользоваться более новой.</translation>
    </message>
    <message>
        <source>This card is signed by a different key than the one you trusted before for this organisation. It may be forged. Do not use it: contact the organisation another way and compare the fingerprint.</source>
        <translation>Эта карточка подписана не тем ключом, которому вы раньше доверяли для этой организации. Возможно, она поддельная. Не используйте её: свяжитесь с организацией другим способом и сверьте отпечаток.</translation>
    </message>
    <message>
        <source>This card&apos;s issue date is in the future. Check your computer&apos;s date, or ask the organisation for a correct card.</source>
        <translation>Дата выдачи этой карточки ещё не наступила. Проверьте дату на компьютере или попросите у организации правильную карточку.</translation>
    </message>
    <message>
        <source>This file cannot be cleaned with certainty, so it will not be sent.</source>
        <translation>Этот файл нельзя надёжно очистить, поэтому он не будет отправлен.</translation>
    </message>
    <message>
        <source>This file contains parts that cannot be checked (such as embedded files or unusual data), so it will not be sent.</source>
        <translation>В этом файле есть то, что нельзя проверить (например, вложенные файлы или необычные данные), поэтому он не будет отправлен.</translation>
    </message>
    <message>
        <source>This file could not be read (it may have been moved, or is not a file).</source>
        <translation>Не удалось прочитать этот файл (возможно, его переместили или это не файл).</translation>
    </message>
    <message>
        <source>This file has no picture to show (it may hold sound only).</source>
        <translation>В этом файле нет изображения (возможно, в нём только звук).</translation>
    </message>
    <message>
        <source>This file is damaged or incomplete, so it cannot be cleaned and will not be sent.</source>
        <translation>Этот файл повреждён или неполон, поэтому его нельзя очистить, и он не будет отправлен.</translation>
    </message>
    <message>
        <source>This file is password-protected or encrypted, so its hidden details cannot be checked. Remove the password and add it again.</source>
        <translation>Этот файл защищён паролем или зашифрован, поэтому его скрытые сведения нельзя проверить. Снимите пароль и добавьте файл снова.</translation>
    </message>
    <message>
        <source>This file is too large or too complex to check safely (for example a compressed file that expands enormously). It will not be sent.</source>
        <translation>Этот файл слишком большой или сложный для безопасной проверки (например, сжатый файл, который распаковывается в огромный объём). Он не будет отправлен.</translation>
    </message>
    <message>
        <source>This is not a valid recipient card: it is malformed or incomplete.</source>
        <translation>Это не настоящая карточка получателя: она повреждена или неполна.</translation>
    </message>
    <message>
        <source>This part has no destination yet: choose where to send it.</source>
        <translation>Для этой части ещё не выбрано, куда её отправить: выберите это.</translation>
    </message>
    <message>
        <source>This part is not complete or not in the outbox folder, so it was not queued.</source>
        <translation>Эта часть неполная или её нет в папке исходящих, поэтому она не поставлена в очередь.</translation>
    </message>
    <message>
        <source>This part is too large for the destination.</source>
        <translation>Эта часть слишком велика для адресата.</translation>
    </message>
    <message>
        <source>This recipient card cannot be used.</source>
        <translation>Эту карточку получателя нельзя использовать.</translation>
    </message>
    <message>
        <source>This recipient card has expired. Ask the organisation for a current card; an expired card cannot be used for new submissions.</source>
        <translation>Срок действия этой карточки получателя истёк. Попросите у организации действующую карточку: с истёкшей карточкой новые передачи отправить нельзя.</translation>
    </message>
    <message>
        <source>This recipient card is too large to be genuine.</source>
        <translation>Эта карточка получателя слишком большая, чтобы быть настоящей.</translation>
    </message>
    <message>
        <source>This recipient card was made by a newer version of the app. Update the app.</source>
        <translation>Эта карточка получателя сделана более новой версией программы. Обновите программу.</translation>
    </message>
    <message>
        <source>This recording still holds parts that were cut out when it was trimmed: players skip them, but anyone can get them back. Save or export the trimmed recording again as a new file (re-encoded), then add that file.</source>
        <translation>В этой записи остались части, вырезанные при обрезке: проигрыватели их пропускают, но любой может их вернуть. Сохраните или экспортируйте обрезанную запись заново как новый файл (с перекодированием), а затем добавьте этот файл.</translation>
    </message>
    <message>
        <source>This type of file is not supported, so it cannot be cleaned and will not be sent.</source>
        <translation>Этот тип файлов не поддерживается, поэтому файл нельзя очистить, и он не будет отправлен.</translation>
    </message>
    <message>
        <source>This video names the program that made it, and players need that name to show the pictures correctly, so it cannot be removed and the video will not be sent. Converting the video to another format first would let it be sent.</source>
        <translation>В этом видео записано название программы, которая его создала, и проигрыватели нуждаются в этом названии, чтобы правильно показать изображение. Поэтому его нельзя удалить, и видео не будет отправлено. Если сначала преобразовать видео в другой формат, его можно будет отправить.</translation>
    </message>
    <message>
        <source>This way of sending is not known.</source>
        <translation>Такой способ отправки неизвестен.</translation>
    </message>
    <message>
        <source>You have pinned too many organisations. Remove one you no longer use.</source>
        <translation>Вы сохранили слишком много организаций. Удалите ту, которой больше не пользуетесь.</translation>
    </message>
    <message>
        <source>Something unexpected went wrong. Nothing was sent.</source>
        <translation>Произошла непредвиденная ошибка. Ничего не отправлено.</translation>
    </message>
</context>
<context>
    <name>FileDetailsView</name>
    <message>
        <source>Choose a file in the list to see what it reveals.</source>
        <translation>Выберите файл в списке, чтобы увидеть, что он может о вас рассказать.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>Will not be sent: %1</source>
        <translation>Не будет отправлен: %1</translation>
    </message>
    <message>
        <source>Hidden details that will be removed:</source>
        <translation>Скрытые сведения, которые будут удалены:</translation>
    </message>
    <message>
        <source>No hidden details were found.</source>
        <translation>Скрытых сведений не найдено.</translation>
    </message>
    <message>
        <source>What cleaning cannot remove:</source>
        <translation>Что очистка удалить не может:</translation>
    </message>
</context>
<context>
    <name>FileListModel</name>
    <message>
        <source>File</source>
        <translation>Файл</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>What it reveals</source>
        <translation>Что он выдаёт</translation>
    </message>
    <message>
        <source>Cannot be removed: %1</source>
        <translation>Нельзя удалить: %1</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>Will not be sent: %1</source>
        <translation>Не будет отправлен: %1</translation>
    </message>
    <message>
        <source>Will be removed: %1</source>
        <translation>Будет удалено: %1</translation>
    </message>
</context>
<context>
    <name>FilesPage</name>
    <message>
        <source>Add files</source>
        <translation>Добавить файлы</translation>
    </message>
    <message>
        <source>Add a folder</source>
        <translation>Добавить папку</translation>
    </message>
    <message>
        <source>2. Files</source>
        <translation>2. Файлы</translation>
    </message>
    <message>
        <source>No preview: this file will not be sent.</source>
        <translation>Просмотра нет: этот файл не будет отправлен.</translation>
    </message>
    <message>
        <source>Cleaning removes hidden details only. What pictures, sound and text show (faces, voices, names, on-screen dates and camera names) stays: check it yourself.</source>
        <translation>Очистка удаляет только скрытые сведения. То, что видно и слышно в самих файлах (лица, голоса, имена, даты и названия камер на экране), остаётся: проверьте это сами.</translation>
    </message>
    <message>
        <source>Add the files to send. The app shows what each one reveals about where, when and by whom it was made, and removes it. Files it cannot clean with certainty are not sent.</source>
        <translation>Добавьте файлы для отправки. Программа покажет, что каждый из них выдаёт о том, где, когда и кем он сделан, и удалит эти сведения. Файлы, которые нельзя надёжно очистить, не отправляются.</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>Добавить файлы…</translation>
    </message>
    <message>
        <source>Add a folder…</source>
        <translation>Добавить папку…</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation>Убрать выбранные</translation>
    </message>
    <message>
        <source>Keep the original file names (names can identify you; off is safer)</source>
        <translation>Сохранить исходные имена файлов (по именам вас могут узнать; безопаснее не сохранять)</translation>
    </message>
    <message>
        <source>Chosen files</source>
        <translation>Выбранные файлы</translation>
    </message>
</context>
<context>
    <name>Findings</name>
    <message numerus="yes">
        <source>and %n more details</source>
        <translation>
            <numerusform>и ещё %n сведение</numerusform>
            <numerusform>и ещё %n сведения</numerusform>
            <numerusform>и ещё %n сведений</numerusform>
        </translation>
    </message>
    <message>
        <source>carries an identifying number</source>
        <translation>содержит номер, по которому его можно опознать</translation>
    </message>
    <message>
        <source>contains an embedded file</source>
        <translation>содержит вложенный файл</translation>
    </message>
    <message>
        <source>no hidden details found</source>
        <translation>скрытых сведений не найдено</translation>
    </message>
    <message>
        <source>carries other hidden details (%1)</source>
        <translation>содержит другие скрытые сведения (%1)</translation>
    </message>
    <message>
        <source>reveals where it was made: %1</source>
        <translation>выдаёт, где он сделан: %1</translation>
    </message>
    <message>
        <source>names the device: %1</source>
        <translation>называет устройство: %1</translation>
    </message>
    <message>
        <source>names a person: %1</source>
        <translation>называет человека: %1</translation>
    </message>
    <message>
        <source>shows when it was made or changed: %1</source>
        <translation>показывает, когда он создан или изменён: %1</translation>
    </message>
    <message>
        <source>names the software used: %1</source>
        <translation>называет программу, в которой он сделан: %1</translation>
    </message>
    <message>
        <source>contains hidden content (%1)</source>
        <translation>содержит скрытое содержимое (%1)</translation>
    </message>
    <message>
        <source>Cleaning removes hidden details, not what the picture shows: faces, reflections, tattoos, street signs, screens and any text or date stamp visible in the picture stay. Look at it yourself before sending.</source>
        <translation>Очистка удаляет скрытые сведения, но не то, что видно на снимке: лица, отражения, татуировки, вывески, экраны и любой текст или дата на изображении остаются. Посмотрите на него сами перед отправкой.</translation>
    </message>
    <message>
        <source>Text burned into the picture (camera names, dates, timestamps, overlays) cannot be removed.</source>
        <translation>Текст, впечатанный в изображение (названия камер, даты, отметки времени, надписи), удалить нельзя.</translation>
    </message>
    <message>
        <source>Faces, voices, places and sounds in the recording itself cannot be removed.</source>
        <translation>Лица, голоса, места и звуки в самой записи удалить нельзя.</translation>
    </message>
    <message>
        <source>Voices and sounds in the recording itself (including background noise that can reveal a place) cannot be removed.</source>
        <translation>Голоса и звуки в самой записи (в том числе фоновый шум, по которому можно узнать место) удалить нельзя.</translation>
    </message>
    <message>
        <source>Only the hidden details of this PDF were checked. Its pages can still identify you: names, dates, signatures, letterheads, writing style, and text that is hidden (white on white, under pictures, outside the page).</source>
        <translation>Проверены только скрытые сведения этого PDF. Его страницы всё ещё могут вас выдать: имена, даты, подписи, бланки, манера письма и скрытый текст (белым по белому, под изображениями, за краем страницы).</translation>
    </message>
    <message>
        <source>This PDF was slightly damaged and had to be repaired to be cleaned. Check that the cleaned copy still shows everything.</source>
        <translation>Этот PDF был немного повреждён, и для очистки его пришлось исправить. Проверьте, что в очищенной копии всё видно.</translation>
    </message>
    <message>
        <source>This PDF has layers. Some may be hidden from view; their content was not checked.</source>
        <translation>В этом PDF есть слои. Некоторые из них могут быть скрыты; их содержимое не проверялось.</translation>
    </message>
    <message>
        <source>Only the hidden details of this document were checked. Its text can still identify you: names, dates, wording, and anything typed in white or in tiny letters.</source>
        <translation>Проверены только скрытые сведения этого документа. Его текст всё ещё может вас выдать: имена, даты, формулировки и всё, что набрано белым или очень мелким шрифтом.</translation>
    </message>
    <message>
        <source>This presentation has speaker notes; they are kept and will be sent.</source>
        <translation>В этой презентации есть заметки докладчика; они сохраняются и будут отправлены.</translation>
    </message>
    <message>
        <source>This workbook has hidden sheets; they are kept and will be sent.</source>
        <translation>В этой книге есть скрытые листы; они сохраняются и будут отправлены.</translation>
    </message>
    <message>
        <source>This presentation has hidden slides; they are kept and will be sent.</source>
        <translation>В этой презентации есть скрытые слайды; они сохраняются и будут отправлены.</translation>
    </message>
    <message>
        <source>This document has text formatted as hidden; it is kept and will be sent.</source>
        <translation>В этом документе есть текст, оформленный как скрытый; он сохраняется и будет отправлен.</translation>
    </message>
    <message>
        <source>Only the hidden details of this document were checked. Its text can still identify you: names, dates, wording, and fields that show the author&apos;s name.</source>
        <translation>Проверены только скрытые сведения этого документа. Его текст всё ещё может вас выдать: имена, даты, формулировки и поля, показывающие имя автора.</translation>
    </message>
    <message>
        <source>The names of the files and folders inside the archive are kept as they are; a name can identify you (your name, a place, a date).</source>
        <translation>Имена файлов и папок внутри архива сохраняются как есть; имя может вас выдать (ваше имя, место, дата).</translation>
    </message>
    <message>
        <source>The content of text files is not checked: names, dates and details written in them stay.</source>
        <translation>Содержимое текстовых файлов не проверяется: имена, даты и подробности, написанные в них, остаются.</translation>
    </message>
    <message numerus="yes">
        <source>This text contains %n invisible characters (zero-width or formatting marks). Such characters can be used to mark one copy of a document to find who leaked it.</source>
        <translation>
            <numerusform>В этом тексте %n невидимый символ (нулевой ширины или знак форматирования). Такими символами можно пометить одну копию документа, чтобы найти, кто её передал.</numerusform>
            <numerusform>В этом тексте %n невидимых символа (нулевой ширины или знаки форматирования). Такими символами можно пометить одну копию документа, чтобы найти, кто её передал.</numerusform>
            <numerusform>В этом тексте %n невидимых символов (нулевой ширины или знаков форматирования). Такими символами можно пометить одну копию документа, чтобы найти, кто её передал.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FingerprintView</name>
    <message>
        <source>Fingerprint words:</source>
        <translation>Отпечаток словами:</translation>
    </message>
    <message>
        <source>The same fingerprint as digits:</source>
        <translation>Тот же отпечаток цифрами:</translation>
    </message>
    <message>
        <source>Fingerprint words</source>
        <translation>Отпечаток словами</translation>
    </message>
    <message>
        <source>Fingerprint digits</source>
        <translation>Отпечаток цифрами</translation>
    </message>
    <message>
        <source>Fingerprint QR code</source>
        <translation>QR-код отпечатка</translation>
    </message>
    <message>
        <source>The fingerprint as a QR code, for scanning with a phone</source>
        <translation>Отпечаток в виде QR-кода, чтобы отсканировать его телефоном</translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <source>Choose parts</source>
        <translation>Выберите части</translation>
    </message>
    <message>
        <source>Inbox</source>
        <translation>Входящие</translation>
    </message>
    <message>
        <source>Add the parts to open first.</source>
        <translation>Сначала добавьте части, которые нужно открыть.</translation>
    </message>
    <message>
        <source>Choose the key file that opens the parts.</source>
        <translation>Выберите файл ключа, которым открываются части.</translation>
    </message>
    <message>
        <source>Choose the folder to open the files into.</source>
        <translation>Выберите папку, в которую открыть файлы.</translation>
    </message>
    <message>
        <source>No parts were found in that folder.</source>
        <translation>В этой папке не найдено ни одной части.</translation>
    </message>
    <message>
        <source>%1 submission(s) could not be opened; nothing of them was written:</source>
        <translation>Не удалось открыть передач: %1; из них ничего не записано:</translation>
    </message>
    <message>
        <source>Cancelled: the remaining submissions were not opened.</source>
        <translation>Отменено: остальные передачи не открыты.</translation>
    </message>
    <message>
        <source>Parts %1: %2</source>
        <translation>Части %1: %2</translation>
    </message>
    <message>
        <source>Part %1: %2</source>
        <translation>Часть %1: %2</translation>
    </message>
    <message>
        <source>Nothing was extracted.</source>
        <translation>Ничего не было извлечено.</translation>
    </message>
    <message>
        <source>Choose a folder or USB stick</source>
        <translation>Выберите папку или флешку</translation>
    </message>
    <message>
        <source>Choose the inbox server&apos;s folder</source>
        <translation>Выберите папку сервера приёма</translation>
    </message>
    <message>
        <source>Choose the key file</source>
        <translation>Выберите файл ключа</translation>
    </message>
    <message>
        <source>Choose where to open the files</source>
        <translation>Выберите, куда открыть файлы</translation>
    </message>
    <message>
        <source>Submission %1 (%2 files)</source>
        <translation>Передача %1 (файлов: %2)</translation>
    </message>
    <message>
        <source>(The source wrote no message.)</source>
        <translation>(Источник не оставил сообщения.)</translation>
    </message>
    <message>
        <source>%1 files opened from part(s) %2 of %3. Every part was authenticated and every file&apos;s hash matched the bundle&apos;s list before anything was released.</source>
        <translation>Открыто файлов: %1 (части %2 из %3). Подлинность каждой части подтверждена, и хеш каждого файла совпал со списком пакета, прежде чем что-либо было выдано.</translation>
    </message>
    <message>
        <source>%1 large file(s) are still waiting for parts not given here.</source>
        <translation>Больших файлов, которые ждут недостающих частей: %1.</translation>
    </message>
    <message>
        <source>This key file is protected by a passphrase: type it below.</source>
        <translation>Этот файл ключа защищён парольной фразой: введите её ниже.</translation>
    </message>
    <message>
        <source>This key file needs no passphrase (it is unprotected, or kept in the system key store).</source>
        <translation>Этому файлу ключа парольная фраза не нужна (он не защищён или хранится в системном хранилище ключей).</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Отмена…</translation>
    </message>
    <message>
        <source>Reading the key…</source>
        <translation>Чтение ключа…</translation>
    </message>
    <message>
        <source>Decrypting and checking part %1 of %2…</source>
        <translation>Расшифровка и проверка части %1 из %2…</translation>
    </message>
    <message>
        <source>Joining large files…</source>
        <translation>Сборка больших файлов…</translation>
    </message>
    <message>
        <source>Finishing…</source>
        <translation>Завершение…</translation>
    </message>
    <message>
        <source>Submission %1 of %2: %3</source>
        <translation>Передача %1 из %2: %3</translation>
    </message>
    <message>
        <source>Could not open</source>
        <translation>Не удалось открыть</translation>
    </message>
    <message>
        <source>Open the parts you received. Nothing is released unless every part is authentic and complete and every file matches its hash; the files then land in a new folder inside the folder you choose.</source>
        <translation>Откройте полученные части. Ничего не выдаётся, пока не подтверждено, что каждая часть подлинная и полная и каждый файл совпадает со своим хешем; после этого файлы появятся в новой папке внутри выбранной вами.</translation>
    </message>
    <message>
        <source>1. Parts</source>
        <translation>1. Части</translation>
    </message>
    <message>
        <source>&amp;Parts to open (each submission opens into its own folder):</source>
        <translation>&amp;Части для открытия (каждая передача открывается в свою папку):</translation>
    </message>
    <message>
        <source>Parts to open</source>
        <translation>Части для открытия</translation>
    </message>
    <message>
        <source>Add part &amp;files…</source>
        <translation>Добавить &amp;файлы частей…</translation>
    </message>
    <message>
        <source>Add part files</source>
        <translation>Добавить файлы частей</translation>
    </message>
    <message>
        <source>From a folder or &amp;USB stick…</source>
        <translation>Из папки или с &amp;флешки…</translation>
    </message>
    <message>
        <source>Add the parts in a folder or USB stick</source>
        <translation>Добавить части из папки или с флешки</translation>
    </message>
    <message>
        <source>From the &amp;inbox server…</source>
        <translation>С &amp;сервера приёма…</translation>
    </message>
    <message>
        <source>Add the parts the inbox server received</source>
        <translation>Добавить части, полученные сервером приёма</translation>
    </message>
    <message>
        <source>&amp;Remove selected</source>
        <translation>&amp;Убрать выбранные</translation>
    </message>
    <message>
        <source>Remove the selected parts</source>
        <translation>Убрать выбранные части</translation>
    </message>
    <message>
        <source>2. Key</source>
        <translation>2. Ключ</translation>
    </message>
    <message>
        <source>&amp;Key file:</source>
        <translation>Файл &amp;ключа:</translation>
    </message>
    <message>
        <source>Key file</source>
        <translation>Файл ключа</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Pass&amp;phrase:</source>
        <translation>Парольная &amp;фраза:</translation>
    </message>
    <message>
        <source>Passphrase of the key file</source>
        <translation>Парольная фраза файла ключа</translation>
    </message>
    <message>
        <source>3. Where to put the files</source>
        <translation>3. Куда сохранить файлы</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>&amp;Папка:</translation>
    </message>
    <message>
        <source>Destination folder</source>
        <translation>Папка назначения</translation>
    </message>
    <message>
        <source>Choose the destination folder</source>
        <translation>Выбрать папку назначения</translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Открыть</translation>
    </message>
    <message>
        <source>Open the parts</source>
        <translation>Открыть части</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Cancel opening</source>
        <translation>Отменить открытие</translation>
    </message>
    <message>
        <source>Opening progress</source>
        <translation>Ход открытия</translation>
    </message>
    <message>
        <source>What the bundle holds</source>
        <translation>Что содержит пакет</translation>
    </message>
    <message>
        <source>Opened into:</source>
        <translation>Открыто в папку:</translation>
    </message>
    <message>
        <source>&amp;Submission:</source>
        <translation>&amp;Передача:</translation>
    </message>
    <message>
        <source>Opened submission to show</source>
        <translation>Какую открытую передачу показать</translation>
    </message>
    <message>
        <source>Folder the files were opened into</source>
        <translation>Папка, в которую открыты файлы</translation>
    </message>
    <message>
        <source>Open &amp;folder</source>
        <translation>Открыть &amp;папку</translation>
    </message>
    <message>
        <source>Show the opened files</source>
        <translation>Показать открытые файлы</translation>
    </message>
    <message>
        <source>Files in the bundle</source>
        <translation>Файлы в пакете</translation>
    </message>
    <message>
        <source>&amp;Message from the source:</source>
        <translation>&amp;Сообщение от источника:</translation>
    </message>
    <message>
        <source>Message from the source</source>
        <translation>Сообщение от источника</translation>
    </message>
</context>
<context>
    <name>KeysPage</name>
    <message>
        <source>Keys</source>
        <translation>Ключи</translation>
    </message>
    <message>
        <source>The two passphrases differ. Type the same passphrase twice.</source>
        <translation>Парольные фразы не совпадают. Введите одну и ту же фразу дважды.</translation>
    </message>
    <message>
        <source>The passphrase is too short: use at least %1 characters, better five or more random words.</source>
        <translation>Парольная фраза слишком короткая: нужно не меньше %1 символов, а лучше пять или больше случайных слов.</translation>
    </message>
    <message>
        <source>Choose a folder and a plain file name for the key.</source>
        <translation>Выберите папку и простое имя файла для ключа.</translation>
    </message>
    <message>
        <source>The card needs the signing key file, the organisation&apos;s name and at least one staff key.</source>
        <translation>Для карточки нужны файл ключа подписи, название организации и хотя бы один ключ сотрудника.</translation>
    </message>
    <message>
        <source>The card text is on the clipboard.</source>
        <translation>Текст карточки скопирован в буфер обмена.</translation>
    </message>
    <message>
        <source>Saved: %1</source>
        <translation>Сохранено: %1</translation>
    </message>
    <message>
        <source>Folder for the key</source>
        <translation>Папка для ключа</translation>
    </message>
    <message>
        <source>The organisation&apos;s signing key file</source>
        <translation>Файл ключа подписи организации</translation>
    </message>
    <message>
        <source>Save the card</source>
        <translation>Сохранить карточку</translation>
    </message>
    <message>
        <source>Save the fingerprint QR code</source>
        <translation>Сохранить QR-код отпечатка</translation>
    </message>
    <message>
        <source>The system&apos;s key store protects the key.</source>
        <translation>Ключ защищён системным хранилищем ключей.</translation>
    </message>
    <message>
        <source>Use five or more random words; you will need it to open the key.</source>
        <translation>Используйте пять или больше случайных слов; фраза понадобится, чтобы открыть ключ.</translation>
    </message>
    <message>
        <source>Too short.</source>
        <translation>Слишком короткая.</translation>
    </message>
    <message>
        <source>Weak: easy to guess. Add more random words.</source>
        <translation>Слабая: её легко угадать. Добавьте ещё случайных слов.</translation>
    </message>
    <message>
        <source>Fair. A few more random words would make it strong.</source>
        <translation>Средняя. Ещё несколько случайных слов сделают её надёжной.</translation>
    </message>
    <message>
        <source>Strong.</source>
        <translation>Надёжная.</translation>
    </message>
    <message>
        <source>The two passphrases differ.</source>
        <translation>Парольные фразы не совпадают.</translation>
    </message>
    <message>
        <source>Signing key</source>
        <translation>Ключ подписи</translation>
    </message>
    <message>
        <source>Staff key</source>
        <translation>Ключ сотрудника</translation>
    </message>
    <message>
        <source>passphrase</source>
        <translation>парольная фраза</translation>
    </message>
    <message>
        <source>system key store</source>
        <translation>системное хранилище ключей</translation>
    </message>
    <message>
        <source>Saved to %1. Public key: %2</source>
        <translation>Сохранено в %1. Открытый ключ: %2</translation>
    </message>
    <message>
        <source>For the organisation&apos;s staff. Create the organisation&apos;s signing key (it vouches for the card) and one key per staff member who opens submissions, then make the card that sources import. Keep the key files on a computer you trust.</source>
        <translation>Для сотрудников организации. Создайте ключ подписи организации (он ручается за карточку) и по одному ключу на каждого сотрудника, который открывает передачи, затем сделайте карточку, которую импортируют источники. Храните файлы ключей на компьютере, которому доверяете.</translation>
    </message>
    <message>
        <source>Create a key</source>
        <translation>Создать ключ</translation>
    </message>
    <message>
        <source>&amp;Kind of key:</source>
        <translation>&amp;Вид ключа:</translation>
    </message>
    <message>
        <source>The organisation&apos;s signing key</source>
        <translation>Ключ подписи организации</translation>
    </message>
    <message>
        <source>Staff key (classic X25519)</source>
        <translation>Ключ сотрудника (классический X25519)</translation>
    </message>
    <message>
        <source>Staff key (post-quantum ML-KEM-768 + X25519)</source>
        <translation>Ключ сотрудника (постквантовый ML-KEM-768 + X25519)</translation>
    </message>
    <message>
        <source>Kind of key</source>
        <translation>Вид ключа</translation>
    </message>
    <message>
        <source>Protection:</source>
        <translation>Защита:</translation>
    </message>
    <message>
        <source>&amp;Passphrase</source>
        <translation>&amp;Парольная фраза</translation>
    </message>
    <message>
        <source>The system&apos;s key s&amp;tore</source>
        <translation>Системное &amp;хранилище ключей</translation>
    </message>
    <message>
        <source>P&amp;assphrase:</source>
        <translation>Парольная &amp;фраза:</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Парольная фраза</translation>
    </message>
    <message>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Повторите её:</translation>
    </message>
    <message>
        <source>Repeat the passphrase</source>
        <translation>Повторите парольную фразу</translation>
    </message>
    <message>
        <source>Passphrase strength</source>
        <translation>Надёжность парольной фразы</translation>
    </message>
    <message>
        <source>&amp;Folder:</source>
        <translation>&amp;Папка:</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Choose the folder for the key</source>
        <translation>Выбрать папку для ключа</translation>
    </message>
    <message>
        <source>File &amp;name:</source>
        <translation>&amp;Имя файла:</translation>
    </message>
    <message>
        <source>Key file name</source>
        <translation>Имя файла ключа</translation>
    </message>
    <message>
        <source>&amp;Create the key</source>
        <translation>&amp;Создать ключ</translation>
    </message>
    <message>
        <source>Keys created in this session:</source>
        <translation>Ключи, созданные за этот сеанс:</translation>
    </message>
    <message>
        <source>Keys created in this session</source>
        <translation>Ключи, созданные за этот сеанс</translation>
    </message>
    <message>
        <source>The organisation&apos;s card</source>
        <translation>Карточка организации</translation>
    </message>
    <message>
        <source>Si&amp;gning key file:</source>
        <translation>Файл ключа &amp;подписи:</translation>
    </message>
    <message>
        <source>Signing key file</source>
        <translation>Файл ключа подписи</translation>
    </message>
    <message>
        <source>Choose the signing key file</source>
        <translation>Выбрать файл ключа подписи</translation>
    </message>
    <message>
        <source>Its passphrase:</source>
        <translation>Его парольная фраза:</translation>
    </message>
    <message>
        <source>Signing key passphrase</source>
        <translation>Парольная фраза ключа подписи</translation>
    </message>
    <message>
        <source>empty if the key store holds it</source>
        <translation>пусто, если ключ в хранилище ключей</translation>
    </message>
    <message>
        <source>Staff ke&amp;ys (one per line):</source>
        <translation>&amp;Ключи сотрудников (по одному в строке):</translation>
    </message>
    <message>
        <source>Staff keys, one per line</source>
        <translation>Ключи сотрудников, по одному в строке</translation>
    </message>
    <message>
        <source>Organisation na&amp;me:</source>
        <translation>&amp;Название организации:</translation>
    </message>
    <message>
        <source>Organisation name</source>
        <translation>Название организации</translation>
    </message>
    <message>
        <source>&amp;Website:</source>
        <translation>&amp;Сайт:</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>Сайт</translation>
    </message>
    <message>
        <source>&amp;Delivery (one per line: an https:// upload address, onionshare:ADDRESS.onion, or note:instructions):</source>
        <translation>&amp;Доставка (по одной в строке: адрес загрузки https://, onionshare:АДРЕС.onion или note:указания):</translation>
    </message>
    <message>
        <source>Delivery addresses, one per line</source>
        <translation>Адреса доставки, по одному в строке</translation>
    </message>
    <message>
        <source>Valid &amp;until:</source>
        <translation>Действует &amp;до:</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>Действует до</translation>
    </message>
    <message>
        <source>Create and s&amp;ign the card</source>
        <translation>Создать и &amp;подписать карточку</translation>
    </message>
    <message>
        <source>The card as text</source>
        <translation>Карточка в виде текста</translation>
    </message>
    <message>
        <source>Save the card…</source>
        <translation>Сохранить карточку…</translation>
    </message>
    <message>
        <source>Copy the card</source>
        <translation>Скопировать карточку</translation>
    </message>
    <message>
        <source>Save the QR code…</source>
        <translation>Сохранить QR-код…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Submitter</source>
        <translation>Submitter</translation>
    </message>
    <message>
        <source>Send material</source>
        <translation>Отправить материалы</translation>
    </message>
    <message>
        <source>For organisation staff</source>
        <translation>Для сотрудников организации</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Шаги</translation>
    </message>
    <message>
        <source>Quick delete</source>
        <translation>Быстрое удаление</translation>
    </message>
    <message>
        <source>Erase the outbox, trusted organisations and keys (%1)</source>
        <translation>Стереть исходящие, доверенные организации и ключи (%1)</translation>
    </message>
    <message>
        <source>What is not protected</source>
        <translation>Что не защищено</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>DEMO MODE: for trying the app only. Do not use real material.</source>
        <translation>ДЕМОРЕЖИМ: только чтобы попробовать программу. Не используйте настоящие материалы.</translation>
    </message>
</context>
<context>
    <name>ManifestModel</name>
    <message>
        <source>Name in the bundle</source>
        <translation>Имя в пакете</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>Hash</source>
        <translation>Хеш</translation>
    </message>
    <message>
        <source>Removed by the sender&apos;s app</source>
        <translation>Удалено программой отправителя</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Предупреждения</translation>
    </message>
    <message>
        <source>Waiting for the missing parts</source>
        <translation>Ждёт недостающих частей</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>Ничего</translation>
    </message>
    <message>
        <source>re-encoded by the sender&apos;s cleaner</source>
        <translation>перекодирован программой отправителя при очистке</translation>
    </message>
    <message>
        <source>Verified (%1…)</source>
        <translation>Проверен (%1…)</translation>
    </message>
    <message>
        <source>SHA-256 %1, checked against the bundle&apos;s list</source>
        <translation>SHA-256 %1, сверен со списком пакета</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>и ещё %1</translation>
    </message>
</context>
<context>
    <name>MessagePage</name>
    <message>
        <source>3. Message</source>
        <translation>3. Сообщение</translation>
    </message>
    <message>
        <source>How to reach me:</source>
        <translation>Как со мной связаться:</translation>
    </message>
    <message>
        <source>Optional: tell the organisation what the files show and why they matter. Avoid details that only you could know.</source>
        <translation>Необязательно: расскажите организации, что показывают файлы и почему они важны. Не пишите подробностей, которые можете знать только вы.</translation>
    </message>
    <message>
        <source>Message to the organisation</source>
        <translation>Сообщение организации</translation>
    </message>
    <message>
        <source>Your message (optional)</source>
        <translation>Ваше сообщение (необязательно)</translation>
    </message>
    <message>
        <source>&amp;How they can reach you, if you want to be reached (leave empty to stay unreachable):</source>
        <translation>&amp;Как с вами связаться, если вы этого хотите (оставьте пустым, чтобы с вами не связывались):</translation>
    </message>
    <message>
        <source>How to reach you</source>
        <translation>Как с вами связаться</translation>
    </message>
</context>
<context>
    <name>OutboxModel</name>
    <message>
        <source>now</source>
        <translation>сейчас</translation>
    </message>
    <message>
        <source>in %1 s</source>
        <translation>через %1 с</translation>
    </message>
    <message>
        <source>in %1 min</source>
        <translation>через %1 мин</translation>
    </message>
    <message>
        <source>in %1 h</source>
        <translation>через %1 ч</translation>
    </message>
    <message>
        <source>Checking the copy</source>
        <translation>Проверка копии</translation>
    </message>
    <message>
        <source>Delivered</source>
        <translation>Доставлена</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Отправляется</translation>
    </message>
    <message>
        <source>Stopped: needs your attention</source>
        <translation>Остановлена: нужно ваше внимание</translation>
    </message>
    <message>
        <source>Interrupted: will continue</source>
        <translation>Прервана: продолжится</translation>
    </message>
    <message>
        <source>Waiting to try again</source>
        <translation>Ждёт новой попытки</translation>
    </message>
    <message>
        <source>Waiting for its scheduled time</source>
        <translation>Ждёт назначенного времени</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Ждёт отправки</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Часть</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Выполнено</translation>
    </message>
    <message>
        <source>Next try</source>
        <translation>Повтор</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Проблема</translation>
    </message>
    <message>
        <source>Part %1</source>
        <translation>Часть %1</translation>
    </message>
</context>
<context>
    <name>OutboxPage</name>
    <message>
        <source>5. Outbox</source>
        <translation>5. Исходящие</translation>
    </message>
    <message>
        <source>Sending is stopped. It will continue from where it stopped when you choose “Deliver now”.</source>
        <translation>Отправка остановлена. Она продолжится с того же места, когда вы нажмёте «Доставить сейчас».</translation>
    </message>
    <message>
        <source>Remove parts</source>
        <translation>Удаление частей</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Отправка…</translation>
    </message>
    <message numerus="yes">
        <source>Remove the selected parts from the outbox (%n)? They will not be sent, and what they hold is lost unless you seal it again.</source>
        <translation>
            <numerusform>Убрать выбранные части из исходящих (%n)? Они не будут отправлены, и их содержимое пропадёт, если вы не запечатаете его снова.</numerusform>
            <numerusform>Убрать выбранные части из исходящих (%n)? Они не будут отправлены, и их содержимое пропадёт, если вы не запечатаете его снова.</numerusform>
            <numerusform>Убрать выбранные части из исходящих (%n)? Они не будут отправлены, и их содержимое пропадёт, если вы не запечатаете его снова.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Parts delivered: %n.</source>
        <translation>
            <numerusform>Доставлено частей: %n.</numerusform>
            <numerusform>Доставлено частей: %n.</numerusform>
            <numerusform>Доставлено частей: %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>The copies were written and checked: it is safe to unplug the USB stick.</source>
        <translation>Копии записаны и проверены: флешку можно отключить.</translation>
    </message>
    <message>
        <source>Nothing was waiting to be sent.</source>
        <translation>Отправлять было нечего.</translation>
    </message>
    <message>
        <source>Not sent yet: %1</source>
        <translation>Пока не отправлено: %1</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>Остановлено: %1</translation>
    </message>
    <message>
        <source>Tor&apos;s SOCKS port answers at %1.</source>
        <translation>SOCKS-порт Tor отвечает по адресу %1.</translation>
    </message>
    <message>
        <source>No answer from Tor&apos;s SOCKS port. Start Tor or Tor Browser, or check the proxy address.</source>
        <translation>SOCKS-порт Tor не отвечает. Запустите Tor или Tor Browser либо проверьте адрес прокси.</translation>
    </message>
    <message>
        <source>Choose the USB stick or folder</source>
        <translation>Выберите флешку или папку</translation>
    </message>
    <message>
        <source>Sealed parts wait here until they are delivered. Each one is locked: only the organisation can open it. Delivered parts are erased from this computer.</source>
        <translation>Запечатанные части ждут здесь, пока их не доставят. Каждая зашифрована: открыть её может только организация. Доставленные части стираются с этого компьютера.</translation>
    </message>
    <message>
        <source>Parts in the outbox</source>
        <translation>Части в исходящих</translation>
    </message>
    <message>
        <source>The outbox is empty.</source>
        <translation>Исходящие пусты.</translation>
    </message>
    <message>
        <source>&amp;Deliver now</source>
        <translation>&amp;Доставить сейчас</translation>
    </message>
    <message numerus="yes">
        <source>within %n hour(s)</source>
        <translation>
            <numerusform>в течение %n часа</numerusform>
            <numerusform>в течение %n часов</numerusform>
            <numerusform>в течение %n часов</numerusform>
        </translation>
    </message>
    <message>
        <source>at a random later moment</source>
        <translation>в случайный момент позже</translation>
    </message>
    <message numerus="yes">
        <source>Parts waiting for their random moment: %n.</source>
        <translation>
            <numerusform>Частей, ждущих своего случайного момента: %n.</numerusform>
            <numerusform>Частей, ждущих своего случайного момента: %n.</numerusform>
            <numerusform>Частей, ждущих своего случайного момента: %n.</numerusform>
        </translation>
    </message>
    <message>
        <source>Each is sent at a moment chosen at random %1.</source>
        <translation>Каждая отправляется в момент, выбранный случайно %1.</translation>
    </message>
    <message>
        <source>Keep the app open: sending goes on only while it runs.</source>
        <translation>Не закрывайте приложение: отправка идёт, только пока оно работает.</translation>
    </message>
    <message>
        <source>&amp;Start sending</source>
        <translation>&amp;Начать отправку</translation>
    </message>
    <message>
        <source>Each part waits for a moment chosen at random %1, so the upload does not line up with when you copied the files. The exact moment is not shown. Keep the app open until then.</source>
        <translation>Каждая часть ждёт момента, выбранного случайно %1, чтобы время отправки не совпадало со временем, когда вы скопировали файлы. Точный момент не показывается. До тех пор не закрывайте приложение.</translation>
    </message>
    <message>
        <source>Parts are sent as soon as you start. Waiting a random time can make it harder to link the upload to when you copied the files.</source>
        <translation>Части отправляются сразу после начала. Ожидание случайного времени затрудняет связь отправки со временем, когда вы скопировали файлы.</translation>
    </message>
    <message>
        <source>When to send</source>
        <translation>Когда отправить</translation>
    </message>
    <message>
        <source>Send at a random moment &amp;within:</source>
        <translation>Отправить в случайный момент в &amp;течение:</translation>
    </message>
    <message>
        <source>now</source>
        <translation>сейчас</translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n час</numerusform>
            <numerusform>%n часа</numerusform>
            <numerusform>%n часов</numerusform>
        </translation>
    </message>
    <message>
        <source>Send at a random moment within</source>
        <translation>Отправить в случайный момент в течение</translation>
    </message>
    <message>
        <source>About the moment of sending</source>
        <translation>О моменте отправки</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Пауза</translation>
    </message>
    <message>
        <source>&amp;Retry selected</source>
        <translation>Повторить &amp;выбранные</translation>
    </message>
    <message>
        <source>Re&amp;move selected…</source>
        <translation>&amp;Убрать выбранные…</translation>
    </message>
    <message>
        <source>Where to deliver</source>
        <translation>Куда доставить</translation>
    </message>
    <message>
        <source>Upload to the organisation (the address on its card)</source>
        <translation>Загрузить в организацию (по адресу из её карточки)</translation>
    </message>
    <message>
        <source>Copy to a USB stick or a folder:</source>
        <translation>Скопировать на флешку или в папку:</translation>
    </message>
    <message>
        <source>USB stick or folder</source>
        <translation>Флешка или папка</translation>
    </message>
    <message>
        <source>Choose a folder…</source>
        <translation>Выбрать папку…</translation>
    </message>
    <message>
        <source>C&amp;hoose…</source>
        <translation>В&amp;ыбрать…</translation>
    </message>
    <message>
        <source>How to connect (for uploads)</source>
        <translation>Как подключаться (для загрузки)</translation>
    </message>
    <message>
        <source>Through Tor, found on this computer (recommended)</source>
        <translation>Через Tor, найденный на этом компьютере (рекомендуется)</translation>
    </message>
    <message>
        <source>Through this Tor SOCKS proxy:</source>
        <translation>Через этот SOCKS-прокси Tor:</translation>
    </message>
    <message>
        <source>SOCKS proxy address</source>
        <translation>Адрес SOCKS-прокси</translation>
    </message>
    <message>
        <source>Directly, to the demo inbox on this computer (demo mode only)</source>
        <translation>Напрямую, в демонстрационный ящик на этом компьютере (только в демо-режиме)</translation>
    </message>
    <message>
        <source>Directly, without Tor (shows your internet address; not for .onion)</source>
        <translation>Напрямую, без Tor (ваш интернет-адрес будет виден; не для .onion)</translation>
    </message>
    <message>
        <source>Demo mode: the demo organisation&apos;s inbox runs on this computer, so the parts go to it directly. Tor cannot reach it. For a real organisation, use Tor.</source>
        <translation>Демо-режим: ящик демонстрационной организации работает на этом компьютере, поэтому части отправляются в него напрямую. Tor до него не дотянется. Для настоящей организации используйте Tor.</translation>
    </message>
    <message>
        <source>Check &amp;Tor</source>
        <translation>Проверить &amp;Tor</translation>
    </message>
    <message>
        <source>Check whether Tor answers</source>
        <translation>Проверить, отвечает ли Tor</translation>
    </message>
    <message>
        <source>Tor check result</source>
        <translation>Результат проверки Tor</translation>
    </message>
    <message>
        <source>Delivery status</source>
        <translation>Состояние доставки</translation>
    </message>
</context>
<context>
    <name>PreviewView</name>
    <message>
        <source>Preview of the selected file</source>
        <translation>Просмотр выбранного файла</translation>
    </message>
    <message>
        <source>The picture</source>
        <translation>Изображение</translation>
    </message>
    <message>
        <source>The first frame of the video</source>
        <translation>Первый кадр видео</translation>
    </message>
    <message>
        <source>The first page</source>
        <translation>Первая страница</translation>
    </message>
    <message>
        <source>Look for faces, names, dates, places and any text on screen: cleaning does not remove them.</source>
        <translation>Ищите лица, имена, даты, места и любой текст на экране: очистка их не удаляет.</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Просмотр</translation>
    </message>
    <message>
        <source>Making a preview…</source>
        <translation>Подготовка просмотра…</translation>
    </message>
    <message>
        <source>Choose a file in the list to see it here.</source>
        <translation>Выберите файл в списке, чтобы увидеть его здесь.</translation>
    </message>
</context>
<context>
    <name>QuickDelete</name>
    <message>
        <source>Not everything could be erased. Close the app and delete its data folder.</source>
        <translation>Стереть удалось не всё. Закройте программу и удалите её папку с данными.</translation>
    </message>
    <message>
        <source>Quick delete</source>
        <translation>Быстрое удаление</translation>
    </message>
    <message>
        <source>Everything was erased.</source>
        <translation>Всё стёрто.</translation>
    </message>
    <message>
        <source>Erase everything this app keeps: the outbox with parts not yet sent, the organisations you trusted, and the key that protects them. This cannot be undone. Your original files are not touched.</source>
        <translation>Стереть всё, что хранит программа: исходящие с ещё не отправленными частями, организации, которым вы доверяли, и ключ, который их защищает. Это нельзя отменить. Ваши исходные файлы не будут затронуты.</translation>
    </message>
    <message>
        <source>Erase everything</source>
        <translation>Стереть всё</translation>
    </message>
</context>
<context>
    <name>RecipientPage</name>
    <message>
        <source>1. Organisation</source>
        <translation>1. Организация</translation>
    </message>
    <message>
        <source>Paste the organisation&apos;s card into the box first.</source>
        <translation>Сначала вставьте карточку организации в поле.</translation>
    </message>
    <message>
        <source>Open the organisation&apos;s card</source>
        <translation>Открыть карточку организации</translation>
    </message>
    <message>
        <source>Type the passphrase that protects this app&apos;s records.</source>
        <translation>Введите парольную фразу, которая защищает записи программы.</translation>
    </message>
    <message>
        <source>%1 (card expired or not valid yet)</source>
        <translation>%1 (срок карточки истёк или ещё не наступил)</translation>
    </message>
    <message>
        <source>(none given)</source>
        <translation>(не указано)</translation>
    </message>
    <message>
        <source>post-quantum</source>
        <translation>постквантовый</translation>
    </message>
    <message>
        <source>classic</source>
        <translation>классический</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Upload to %1</source>
        <translation>Загрузка на %1</translation>
    </message>
    <message>
        <source>OnionShare address %1</source>
        <translation>Адрес OnionShare %1</translation>
    </message>
    <message>
        <source>(with a private key)</source>
        <translation>(с закрытым ключом)</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Примечание: %1</translation>
    </message>
    <message>
        <source>No upload address: deliver on a USB stick or shared folder.</source>
        <translation>Адреса для загрузки нет: передайте на флешке или через общую папку.</translation>
    </message>
    <message>
        <source>Issued %1, valid until %2</source>
        <translation>Выдана %1, действует до %2</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Отклонено</translation>
    </message>
    <message>
        <source>New organisation added to your trusted list. Before you send anything, check its fingerprint as explained below.</source>
        <translation>Новая организация добавлена в список доверенных. Прежде чем что-либо отправлять, сверьте её отпечаток, как описано ниже.</translation>
    </message>
    <message>
        <source>Card updated: it is signed by the key you already trust.</source>
        <translation>Карточка обновлена: она подписана ключом, которому вы уже доверяете.</translation>
    </message>
    <message>
        <source>You already have this card.</source>
        <translation>Эта карточка у вас уже есть.</translation>
    </message>
    <message>
        <source>The organisation moved to a new signing key, and the key you trusted signed the hand-over. Check the new fingerprint below.</source>
        <translation>Организация перешла на новый ключ подписи, и переход подписан ключом, которому вы доверяли. Сверьте новый отпечаток ниже.</translation>
    </message>
    <message>
        <source>Choose the organisation that will receive your material. Its card holds the keys your files are locked to, so only its staff can open them.</source>
        <translation>Выберите организацию, которая получит ваши материалы. В её карточке есть ключи, которыми шифруются ваши файлы, поэтому открыть их смогут только её сотрудники.</translation>
    </message>
    <message>
        <source>Organisations you trust</source>
        <translation>Организации, которым вы доверяете</translation>
    </message>
    <message>
        <source>&amp;Choose one:</source>
        <translation>&amp;Выберите одну:</translation>
    </message>
    <message>
        <source>None yet: import the organisation&apos;s card.</source>
        <translation>Пока нет ни одной: импортируйте карточку организации.</translation>
    </message>
    <message>
        <source>Add an organisation</source>
        <translation>Добавить организацию</translation>
    </message>
    <message>
        <source>&amp;Paste the card text you got from the organisation:</source>
        <translation>&amp;Вставьте текст карточки, полученный от организации:</translation>
    </message>
    <message>
        <source>Card text</source>
        <translation>Текст карточки</translation>
    </message>
    <message>
        <source>&amp;Import pasted card</source>
        <translation>&amp;Импортировать вставленную карточку</translation>
    </message>
    <message>
        <source>Import pasted card</source>
        <translation>Импортировать вставленную карточку</translation>
    </message>
    <message>
        <source>Import from a &amp;file…</source>
        <translation>Импортировать из &amp;файла…</translation>
    </message>
    <message>
        <source>Import a card from a file</source>
        <translation>Импортировать карточку из файла</translation>
    </message>
    <message>
        <source>Unlock your saved organisations</source>
        <translation>Разблокировать сохранённые организации</translation>
    </message>
    <message>
        <source>This computer has no key store. Type the passphrase that protects this app&apos;s records (the first time, choose one and remember it):</source>
        <translation>На этом компьютере нет хранилища ключей. Введите парольную фразу, которая защищает записи программы (в первый раз придумайте её и запомните):</translation>
    </message>
    <message>
        <source>Records passphrase</source>
        <translation>Парольная фраза для записей программы</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Разблокировать</translation>
    </message>
    <message>
        <source>What the card says</source>
        <translation>Что сказано в карточке</translation>
    </message>
    <message>
        <source>Organisation:</source>
        <translation>Организация:</translation>
    </message>
    <message>
        <source>Website:</source>
        <translation>Сайт:</translation>
    </message>
    <message>
        <source>Staff keys:</source>
        <translation>Ключи сотрудников:</translation>
    </message>
    <message>
        <source>Delivery:</source>
        <translation>Доставка:</translation>
    </message>
    <message>
        <source>Valid:</source>
        <translation>Действует:</translation>
    </message>
    <message>
        <source>Organisation name</source>
        <translation>Название организации</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>Сайт</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Ключи</translation>
    </message>
    <message>
        <source>Delivery</source>
        <translation>Доставка</translation>
    </message>
    <message>
        <source>Validity</source>
        <translation>Срок действия</translation>
    </message>
    <message>
        <source>Check the fingerprint before you send anything: compare these words with the ones the organisation publishes on its website, in print, or tells you by phone. If even one word differs, do not send: the card may be forged.</source>
        <translation>Прежде чем что-либо отправлять, сверьте отпечаток: сравните эти слова с теми, что организация публикует на своём сайте, в печати или называет по телефону. Если отличается хотя бы одно слово, не отправляйте: карточка может быть поддельной.</translation>
    </message>
    <message>
        <source>How to check the fingerprint</source>
        <translation>Как сверить отпечаток</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>4. Review and seal</source>
        <translation>4. Проверка и запечатывание</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Начинаем…</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Отмена…</translation>
    </message>
    <message>
        <source>None chosen yet (step 1)</source>
        <translation>Пока не выбрана (шаг 1)</translation>
    </message>
    <message>
        <source>Choose the organisation first (step 1).</source>
        <translation>Сначала выберите организацию (шаг 1).</translation>
    </message>
    <message>
        <source>Add the files to send (step 2).</source>
        <translation>Добавьте файлы для отправки (шаг 2).</translation>
    </message>
    <message numerus="yes">
        <source>Sealed. Parts locked in the outbox: %n. Only the organisation can open them. Go to step 5 to deliver them.</source>
        <translation>
            <numerusform>Запечатано. Зашифрованных частей в исходящих: %n. Открыть их может только организация. Перейдите к шагу 5, чтобы доставить их.</numerusform>
            <numerusform>Запечатано. Зашифрованных частей в исходящих: %n. Открыть их может только организация. Перейдите к шагу 5, чтобы доставить их.</numerusform>
            <numerusform>Запечатано. Зашифрованных частей в исходящих: %n. Открыть их может только организация. Перейдите к шагу 5, чтобы доставить их.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Files that cannot be sent safely: %n. Nothing can be sealed until you remove them (step 2):</source>
        <translation>
            <numerusform>Файлов, которые нельзя безопасно отправить: %n. Запечатать ничего не получится, пока вы их не уберёте (шаг 2):</numerusform>
            <numerusform>Файлов, которые нельзя безопасно отправить: %n. Запечатать ничего не получится, пока вы их не уберёте (шаг 2):</numerusform>
            <numerusform>Файлов, которые нельзя безопасно отправить: %n. Запечатать ничего не получится, пока вы их не уберёте (шаг 2):</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Files still being checked: %n. Please wait.</source>
        <translation>
            <numerusform>Файлов ещё на проверке: %n. Пожалуйста, подождите.</numerusform>
            <numerusform>Файлов ещё на проверке: %n. Пожалуйста, подождите.</numerusform>
            <numerusform>Файлов ещё на проверке: %n. Пожалуйста, подождите.</numerusform>
        </translation>
    </message>
    <message>
        <source>about %1</source>
        <translation>около %1</translation>
    </message>
    <message>
        <source>about %1 in all (parts of %2)</source>
        <translation>всего около %1 (части по %2)</translation>
    </message>
    <message>
        <source>Checking and cleaning</source>
        <translation>Проверка и очистка</translation>
    </message>
    <message>
        <source>Locking (encrypting) for the organisation</source>
        <translation>Шифрование для организации</translation>
    </message>
    <message>
        <source>Putting the parts in the outbox</source>
        <translation>Части помещаются в исходящие</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Готово</translation>
    </message>
    <message>
        <source>file %1 of %2</source>
        <translation>файл %1 из %2</translation>
    </message>
    <message>
        <source>Check what will be sent, then seal it. Sealing cleans every file again, packs them with your message, pads the size so it says little, and locks everything so that only the organisation can open it. Nothing leaves this computer yet.</source>
        <translation>Проверьте, что будет отправлено, затем запечатайте. При запечатывании каждый файл очищается ещё раз, файлы упаковываются вместе с вашим сообщением, размер дополняется, чтобы он мало что выдавал, и всё шифруется так, что открыть может только организация. Пока ничего не покидает этот компьютер.</translation>
    </message>
    <message>
        <source>What will be sent</source>
        <translation>Что будет отправлено</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>Кому:</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>Файлы:</translation>
    </message>
    <message>
        <source>Size now:</source>
        <translation>Размер сейчас:</translation>
    </message>
    <message>
        <source>Size after padding:</source>
        <translation>Размер после дополнения:</translation>
    </message>
    <message>
        <source>Parts:</source>
        <translation>Части:</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Организация</translation>
    </message>
    <message>
        <source>Number of files</source>
        <translation>Число файлов</translation>
    </message>
    <message>
        <source>Size of the files</source>
        <translation>Размер файлов</translation>
    </message>
    <message>
        <source>Size after padding</source>
        <translation>Размер после дополнения</translation>
    </message>
    <message>
        <source>Number of parts</source>
        <translation>Число частей</translation>
    </message>
    <message>
        <source>Why sealing is not possible yet</source>
        <translation>Почему запечатать пока нельзя</translation>
    </message>
    <message>
        <source>&amp;Seal</source>
        <translation>&amp;Запечатать</translation>
    </message>
    <message>
        <source>Seal the files into the outbox</source>
        <translation>Запечатать файлы в исходящие</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Отмена</translation>
    </message>
    <message>
        <source>Cancel sealing</source>
        <translation>Отменить запечатывание</translation>
    </message>
    <message>
        <source>Sealing progress</source>
        <translation>Ход запечатывания</translation>
    </message>
    <message>
        <source>Current step of sealing</source>
        <translation>Текущий шаг запечатывания</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Результат</translation>
    </message>
    <message>
        <source>Go to step 5: deliver</source>
        <translation>Перейти к шагу 5: доставка</translation>
    </message>
</context>
<context>
    <name>ThreatModelDialog</name>
    <message>
        <source>What this app protects, and what it does not</source>
        <translation>От чего защищает эта программа, а от чего нет</translation>
    </message>
    <message>
        <source>Threat model</source>
        <translation>Модель угроз</translation>
    </message>
</context>
</TS>
